"""Vocabulary for the sample dataset: categories with brands, product types, features and review phrases.

Every category has its own product nouns and features, so a title such as "Nike Air Zoom running shoes
men size 42" can be classified from its text alone. No word here contains a digit run or an '@', so that
generated free text can never look like a phone number or an email by accident.
"""

from __future__ import annotations

CATEGORIES: dict[str, dict[str, list[str]]] = {
    "Shoes": {
        "brands": ["Nike", "Adidas", "Puma", "Reebok", "Asics", "New Balance"],
        "lines": ["Air Zoom", "Ultraboost", "Gel Kayano", "Classic Leather", "Suede", "Fresh Foam", "Pegasus"],
        "nouns": ["running shoes", "sneakers", "trail shoes", "hiking boots", "sandals", "loafers",
                  "basketball shoes", "ankle boots", "slip-on shoes", "football boots"],
        "features": ["men size {size}", "women size {size}", "breathable mesh upper", "leather", "waterproof",
                     "cushioned sole", "lightweight", "wide fit"],
        "materials": ["mesh", "leather", "suede", "canvas", "rubber sole"],
    },
    "Electronics": {
        "brands": ["Samsung", "Sony", "Apple", "Lenovo", "Logitech", "Bose", "Xiaomi"],
        "lines": ["Galaxy", "Bravia", "ThinkPad", "QuietComfort", "MX Master", "Redmi", "WH Series"],
        "nouns": ["wireless headphones", "bluetooth speaker", "smartphone", "laptop", "tablet", "smartwatch",
                  "4K television", "gaming mouse", "mechanical keyboard", "usb-c charger", "webcam"],
        "features": ["{gb}GB storage", "noise cancelling", "{inch} inch display", "fast charging",
                     "long battery life", "wifi and bluetooth", "black", "silver"],
        "materials": ["aluminium body", "lithium battery", "OLED screen", "usb-c port"],
    },
    "Books": {
        "brands": ["Penguin", "HarperCollins", "Vintage", "Bloomsbury", "Scholastic", "Oxford Press"],
        "lines": ["The Silent River", "A History of Rome", "Learning Python", "The Midnight Library",
                  "Cooking with Herbs", "Stars Over Tokyo", "The Quiet Garden", "Data Science Basics"],
        "nouns": ["paperback novel", "hardcover book", "cookbook", "biography", "thriller novel",
                  "children's picture book", "programming guide", "poetry collection", "travel guide"],
        "features": ["paperback", "hardcover", "second edition", "illustrated", "english edition",
                     "large print", "signed copy"],
        "materials": ["pages", "chapters", "author", "edition"],
    },
    "Clothing": {
        "brands": ["Levi's", "Zara", "Uniqlo", "Tommy Hilfiger", "Calvin Klein", "Mango"],
        "lines": ["Essentials", "Heritage", "Slim Line", "Basics", "Originals", "Studio"],
        "nouns": ["slim fit jeans", "cotton t-shirt", "hoodie", "wool sweater", "summer dress",
                  "winter jacket", "denim shirt", "chino trousers", "polo shirt", "pleated skirt"],
        "features": ["size {cloth}", "cotton", "regular fit", "machine washable", "navy blue",
                     "organic cotton", "long sleeve"],
        "materials": ["cotton", "wool", "denim", "linen", "polyester blend"],
    },
    "Home & Kitchen": {
        "brands": ["IKEA", "Tefal", "KitchenAid", "Le Creuset", "Bosch", "Dyson"],
        "lines": ["Ingenio", "Artisan", "Signature", "Serie Eight", "Cyclone", "Hemnes"],
        "nouns": ["non-stick frying pan", "cookware set", "espresso machine", "blender", "bath towel set",
                  "bed sheets", "table lamp", "vacuum cleaner", "knife block", "storage boxes"],
        "features": ["stainless steel", "dishwasher safe", "{litre} litre", "induction compatible",
                     "set of four", "energy efficient", "oak finish"],
        "materials": ["stainless steel", "cast iron", "ceramic", "bamboo", "glass"],
    },
    "Beauty": {
        "brands": ["L'Oréal", "Nivea", "Maybelline", "Clinique", "The Ordinary", "Garnier"],
        "lines": ["Revitalift", "Soft Creme", "Lash Sensational", "Dramatically Different", "Micellar",
                  "Hyaluronic"],
        "nouns": ["moisturizing face cream", "mascara", "lipstick", "shampoo", "face serum", "sunscreen",
                  "eyeshadow palette", "body lotion", "nail polish", "cleansing water"],
        "features": ["SPF {spf}", "{ml} ml", "for dry skin", "fragrance free", "dermatologist tested",
                     "vegan formula", "long lasting"],
        "materials": ["hyaluronic acid", "vitamin c", "shea butter", "aloe vera"],
    },
    "Sports & Outdoors": {
        "brands": ["Wilson", "Coleman", "Decathlon", "Yonex", "Salomon", "Under Armour"],
        "lines": ["Pro Staff", "Quechua", "Astrox", "Sundome", "Speedcross", "Forclaz"],
        "nouns": ["yoga mat", "camping tent", "tennis racket", "dumbbell set", "sleeping bag",
                  "cycling helmet", "football", "hiking backpack", "badminton racket", "water bottle"],
        "features": ["{people} person", "{kg} kg", "non-slip", "outdoor", "adjustable", "weatherproof",
                     "for training"],
        "materials": ["nylon", "carbon frame", "foam padding", "ripstop fabric"],
    },
    "Toys & Games": {
        "brands": ["LEGO", "Hasbro", "Mattel", "Ravensburger", "Playmobil", "Melissa and Doug"],
        "lines": ["City", "Monopoly", "Hot Wheels", "Technic", "Barbie", "Jenga"],
        "nouns": ["building set", "board game", "jigsaw puzzle", "action figure", "plush teddy bear",
                  "remote control car", "doll house", "card game", "wooden train set", "science kit"],
        "features": ["{pieces} pieces", "ages {age} and up", "family game", "educational", "for kids",
                     "collectible"],
        "materials": ["bricks", "board", "figures", "cards"],
    },
    "Grocery": {
        "brands": ["Nestlé", "Lavazza", "Barilla", "Twinings", "Lindt", "Kellogg's"],
        "lines": ["Qualità Oro", "Excellence", "Earl Grey", "Special K", "Nescafé Gold", "Integrale"],
        "nouns": ["ground coffee", "green tea bags", "dark chocolate bar", "spaghetti pasta",
                  "extra virgin olive oil", "granola cereal", "coffee beans", "honey jar", "basmati rice"],
        "features": ["{grams} g", "organic", "pack of {pack}", "fair trade", "gluten free", "intense roast",
                     "sugar free"],
        "materials": ["cocoa", "arabica beans", "durum wheat", "black tea"],
    },
}

# Non-canonical spellings of real categories, by the kind of difference a cleaning step must undo.
CATEGORY_VARIANTS: dict[str, list[str]] = {
    "Shoes": ["shoes", "SHOES", "Shoés"],
    "Electronics": ["electronics", "Électronics", "Electroncs"],
    "Books": ["books", "Bokos"],
    "Clothing": ["clothing", "Clothng", "Clóthing"],
    "Home & Kitchen": ["home & kitchen", "Home  &  Kitchen", "Home&Kitchen"],
    "Beauty": ["BEAUTY", "Beuaty"],
    "Sports & Outdoors": ["sports & outdoors", "Sprots & Outdoors", "Sports &Outdoors"],
    "Toys & Games": ["toys & games", "Toys&Games"],
    "Grocery": ["grocery", "Grocey"],
}

FILLERS = {
    "size": [str(s) for s in range(36, 47)], "gb": ["64", "128", "256", "512"], "inch": ["13", "15.6", "55", "65"],
    "cloth": ["XS", "S", "M", "L", "XL"], "litre": ["1.5", "2", "5"], "spf": ["15", "30", "50"],
    "ml": ["30", "50", "200", "400"], "people": ["2", "3", "4"], "kg": ["5", "10", "20"],
    "pieces": ["500", "1000", "250"], "age": ["3", "6", "8", "12"], "grams": ["100", "250", "500"],
    "pack": ["2", "6", "12"],
}

DESCRIPTION_TEMPLATES = [
    "This {brand} {noun} in {material}, {feature}. Designed for everyday use.",
    "{brand} {line} {noun}: {feature} and {feature2}. A popular choice in our {category} range.",
    "High quality {noun} by {brand}. Made with {material}; {feature}.",
    "Our best-selling {noun}. {feature}, {feature2}, from {brand}.",
]

REVIEW_PHRASES: dict[str, list[str]] = {
    "positive": ["Absolutely love these {noun}!", "Excellent quality, exactly as described.",
                 "Great value for money, would buy again.", "Fast delivery and the {noun} work perfectly.",
                 "Five stars, my whole family loves it.", "Better than expected, highly recommended.",
                 "Fantastic {noun}, very comfortable and well made."],
    "neutral": ["The {noun} are okay, nothing special.", "Decent product but delivery was slow.",
                "Average quality for the price.", "It does the job, though the packaging was damaged.",
                "Not bad, not great. The {noun} look a bit different from the photos."],
    "negative": ["Terrible quality, the {noun} broke after a week.", "Very disappointed, would not recommend.",
                 "Waste of money, returned it immediately.", "Arrived damaged and customer service never answered.",
                 "Awful {noun}, nothing like the description.", "Poor build quality, stopped working quickly."],
}

PII_SNIPPETS = [
    "Contact me at {email} if you have questions.", "Call me on {phone} about the refund.",
    "My email is {email}, please send the invoice.", "Reach me at {phone} or {email}.",
]

FIRST_NAMES = ["Anna", "Ben", "Carla", "David", "Elena", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Klara",
               "Lukas", "Maria", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera",
               "Wout", "Xenia", "Yusuf", "Zoe"]
LAST_NAMES = ["Smith", "Müller", "Garcia", "Rossi", "Dubois", "Kowalski", "Jansen", "Silva", "Novak",
              "Berg", "Fischer", "Moreau", "Costa", "Lindqvist", "Horvat", "Peeters"]

COUNTRIES: dict[str, list[str]] = {
    "Germany": ["Berlin", "Hamburg", "Munich"], "France": ["Paris", "Lyon", "Marseille"],
    "Spain": ["Madrid", "Barcelona", "Valencia"], "Italy": ["Rome", "Milan", "Naples"],
    "Netherlands": ["Amsterdam", "Rotterdam", "Utrecht"], "Poland": ["Warsaw", "Krakow", "Gdansk"],
    "Sweden": ["Stockholm", "Gothenburg", "Malmo"], "Portugal": ["Lisbon", "Porto", "Braga"],
}

ORDER_STATUSES = {
    "pending": "placed by the customer, payment not yet confirmed",
    "paid": "payment confirmed, waiting to be packed and handed to the carrier",
    "shipped": "handed to the carrier, on its way to the customer",
    "delivered": "received by the customer (final state for a successful order)",
    "cancelled": "cancelled before shipping by the customer or by the shop; nothing was charged",
    "returned": "delivered and then sent back by the customer; the amount was refunded",
}
PAYMENT_METHODS = ["credit_card", "paypal", "bank_transfer", "voucher", "klarna"]
TIERS = ["bronze", "silver", "gold", "platinum"]
DEVICES = ["mobile", "desktop", "tablet"]
EVENT_TYPES = {
    "view": "the user opened the product page",
    "click": "the user clicked the product in a list, search result or recommendation",
    "cart": "the user added the product to the shopping cart",
    "purchase": "the user bought the product (the order is in orders/order_items)",
}
BAD_DATES = ["2021-02-30", "2021-13-01", "15.03.2021", "sometime in 2020", "00-00-0000", "2020-06-31", "yesterday"]
