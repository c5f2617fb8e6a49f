"""What to train (``RecommendSpec``, one per run) and the engine's thresholds (``RecommendSettings``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from stocktake.errors import Option, Remedy, StocktakeError, UnknownNameError

SPLITS = ("random", "temporal", "leave-last")
ALL_MODELS = ("pop", "itemknn", "ease", "als", "bpr", "lightgcn")

# Used when --event is given without --weights: common behaviour names, stronger intent weighs more.
DEFAULT_EVENT_WEIGHTS = {
    "view": 1.0, "pv": 1.0, "click": 1.0, "impression": 0.5,
    "fav": 2.0, "favorite": 2.0, "wishlist": 2.0, "like": 2.0,
    "cart": 3.0, "add_to_cart": 3.0, "addtocart": 3.0,
    "purchase": 5.0, "buy": 5.0, "order": 5.0, "transaction": 5.0,
}


@dataclass(frozen=True)
class RecommendSettings:
    validation_size: float = 0.15  # share of each user's training items held out for tuning
    cold_threshold: int = 2  # users/items with fewer interactions than this count as cold-start
    head_item_share: float = 0.2  # the most popular 20% of items are the head; the rest the long tail
    ease_max_items: int = 6000  # EASE inverts a dense items x items matrix
    # Tuning grids; the first entry of each is the default when tuning is off.
    itemknn_neighbours: tuple[int, ...] = (100, 20, 50, 200)
    ease_l2: tuple[float, ...] = (400.0, 50.0, 100.0, 200.0, 800.0)
    als_grid: tuple[tuple[int, float, float], ...] = (  # factors, regularization, alpha
        (64, 0.05, 2.0), (32, 0.05, 2.0), (64, 0.5, 8.0), (128, 0.5, 8.0), (128, 2.0, 16.0),
    )
    bpr_dim: int = 64
    bpr_l2: tuple[float, ...] = (1e-2, 3e-3, 3e-2)  # per-sample L2; 1e-2 won on ml-100k validation
    bpr_max_epochs: int = 100
    lightgcn_dim: int = 64
    lightgcn_layers: int = 3
    lightgcn_max_epochs: int = 40
    neural_batch: int = 4096
    neural_eval_every: int = 5
    torch_threads: int = 1  # for bpr/lightgcn on a CPU; see neural.py
    explain_items: int = 3


@dataclass(frozen=True)
class RecommendSpec:
    """One training run: which columns mean what, how to weigh them, which models and how to evaluate."""

    user: str
    item: str
    time: str | None = None
    rating: str | None = None
    min_rating: float | None = None
    event: str | None = None
    weights: dict[str, float] | None = None
    models: tuple[str, ...] = ("pop", "itemknn", "ease", "als", "bpr")
    split: str = "random"
    test_size: float = 0.2
    ks: tuple[int, ...] = (10, 20)
    tune: bool = True
    refit: bool = True  # after evaluation, save a model refitted on all interactions for serving
    seed: int = 0
    device: str | None = None  # torch device for bpr/lightgcn; None picks CUDA when there is one
    settings: RecommendSettings = field(default_factory=RecommendSettings)

    def __post_init__(self):
        if self.split not in SPLITS:
            raise StocktakeError(f"Unknown split '{self.split}'. Use one of: {', '.join(SPLITS)}.")
        if not 0 < self.test_size < 1:
            raise StocktakeError((Option("test_size"), f" must be between 0 and 1 (got {self.test_size})."))
        if not self.ks or any(k < 1 for k in self.ks):
            raise StocktakeError((Option("ks"), f" needs positive cut-offs such as 10,20 (got {list(self.ks)})."))
        if not self.models:
            raise StocktakeError(f"Name at least one model to train: {', '.join(ALL_MODELS)}.")
        for name in self.models:
            if name not in ALL_MODELS:
                raise UnknownNameError("recommender model", name, ALL_MODELS)
        if self.min_rating is not None and self.rating is None:
            raise StocktakeError((Option("min_rating"), " needs ", Remedy("rating-column"),
                                  " to know which column holds the rating."))
        if self.weights is not None and self.event is None:
            raise StocktakeError((Option("weights"), " needs ", Remedy("event-column"),
                                  " to know which column holds the event type."))

    @property
    def primary_metric(self) -> str:
        return f"ndcg@{self.ks[0]}"
