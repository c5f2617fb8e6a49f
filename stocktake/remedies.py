"""What each face says for an error's way out (``REMEDIES``) and for the input at fault (``OPTIONS``).

The CLI names its options, the web app its controls, and the model the tool arguments it can act on. A remedy is
a phrase that ``stocktake.errors`` puts into a sentence: lower case (a capital is added where a sentence starts),
no final full stop, ``{placeholders}`` filled in by the raise site; one that begins with a comma, colon or
semicolon goes on with the sentence before it. The CLI's words are the fullest: no other face needs a placeholder
the CLI's words lack.
"""

from __future__ import annotations

from typing import NamedTuple

FACES = ("cli", "web", "model")


class Words(NamedTuple):
    cli: str
    web: str
    model: str


# An empty phrase: that face has nothing to offer, so it says nothing (the upload form cannot pick tables).
REMEDIES: dict[str, Words] = {
    "replace-or-rename": Words(
        "use --replace to add a new version, or --name to choose another name",
        "tick Replace to add a new version, or choose another asset name",
        "ingest it again as a new version of the asset, or under another name"),
    "ingest-again": Words(
        "ingest it again with --replace",
        "upload it again with Replace ticked",
        "ask the user to ingest it again as a new version"),
    "name-example": Words("for example --name {name}", "for example {name}", "for example {name}"),
    "give-delimiter": Words("give the right delimiter with --sep", "check the delimiter", "check the delimiter"),
    "delimiter-or-encoding": Words(
        "try --sep or --encoding",
        "check the delimiter, and save the file as UTF-8",
        "check the delimiter and the encoding"),
    "detect-encoding": Words(
        "leave --encoding out to detect the encoding, or try --encoding latin-1",
        "save the file as UTF-8",
        "leave the encoding out to detect it, or read the file as latin-1"),
    "leave-encoding-out": Words(
        "leave --encoding out to detect it",
        "leave the encoding out to detect it",
        "leave the encoding out to detect it"),
    "one-encoding": Words(
        "re-save it in one, or force one with --encoding latin-1 (or cp1252)",
        "save it as UTF-8",
        "re-save it in one, or read it as latin-1 (or cp1252)"),
    "utf16-without-mark": Words(
        "for UTF-16 text without a byte-order mark, give --encoding utf-16",
        "UTF-16 text must keep its byte-order mark",
        "UTF-16 text without a byte-order mark must be read as utf-16"),
    "ingest-each-table": Words(
        "; --name only works for one (use --table)",
        ": leave the asset name empty to ingest each as its own asset",
        ": give no name to ingest each as its own asset, or pick one table"),
    "other-tables-one-by-one": Words(
        "ingest the other tables one by one with --table", "", "ingest the other tables one by one"),
    "pick-tables": Words(", or pick the tables you want with --table", "", ", or pick the tables you want"),
    "skip-bad": Words("use --skip-bad", "leave them out", "leave them out"),
    "name-each-file": Words(
        "ingest them one by one with --name",
        "upload them one by one, each under its own asset name",
        "ingest them one by one, each under its own name"),
    "overwrite": Words("pass --force to overwrite", "choose to overwrite", "ask the user whether to overwrite"),
    "contract-init": Words(
        "write one with stocktake contract init {asset}",
        "contracts are written from the command line (stocktake contract init {asset})",
        "ask the user to write one with stocktake contract init {asset}"),
    "workspace-folder": Words(
        "choose a folder for Stocktake's state with --workspace DIR",
        "start the app on a folder for Stocktake's state",
        "ask the user to choose a folder for Stocktake's state"),
    "writable-folder": Words(
        "choose a folder you can write to with --workspace DIR",
        "start the app on a folder you can write to",
        "ask the user to choose a folder Stocktake can write to"),
    "writable-workspace": Words(
        "use a workspace you can write to (--workspace DIR); commands that only read, such as assets, show and docs "
        "search, work here",
        "start the app on a workspace you can write to; what only reads, such as the inventory and the docs search, "
        "works here",
        "tell the user the workspace is read-only; tools that only read, such as describing assets, queries and the "
        "docs search, still work"),
    "ingest-first": Words(
        "ingest data first (stocktake ingest PATH), or try stocktake demo",
        "upload data first",
        "ask the user to ingest data first"),
    "ingest-first-in": Words(
        "ingest data first (stocktake --workspace {root} ingest PATH), or try stocktake --workspace {root} demo",
        "upload data first",
        "ask the user to ingest data first"),
    "empty-workspace": Words(
        "choose a new or empty folder for the workspace, e.g. --workspace {path}",
        "start the app on a new or empty folder, e.g. {path}",
        "ask the user to choose a new or empty folder for the workspace, e.g. {path}"),
    "second-version": Words(
        "add one with `stocktake ingest PATH --name {asset} --replace`, or `stocktake sync` for a database table",
        "upload a changed file under the same name with Replace ticked",
        "ask the user to ingest a changed copy as a new version (replace) or to sync its source"),
    "param": Words("--param {pair}", "{pair}", "{pair} in params"),
    "script-name": Words("for example --out clean_{asset}.py", "for example clean_{asset}.py",
                         "for example clean_{asset}.py"),
    "rebase-or-branch": Words(
        "finish again with --rebase to replay the {steps} onto version {version}, or --branch to "
        "save the result as the new asset '{branch}'",
        "discard this session and start a new one on version {version}",
        "finish again with mode=\"rebase\" to replay the {steps} onto version {version}, or "
        "mode=\"branch\" to save the result as the new asset '{branch}'"),
    "accept-or-discard": Words(
        "accept steps with `stocktake clean accept {session} STEP` (or all), or close the session with "
        "`stocktake clean discard {session}`",
        "accept a step first (✔ Accept), or discard the session",
        "accept a step first (e.g. 'accept s1'), or discard the session"),
    "finish-as-branch": Words(
        "finish with --branch instead",
        "discard this session and start a new one",
        "finish with mode=\"branch\" instead"),
    "text-column": Words(
        "name at least one text column with --text COL",
        "choose at least one text column",
        "name at least one text column in text_column"),
    "default-base-model": Words(
        "leave --base-model out for all-MiniLM-L6-v2",
        "leave the base model out for all-MiniLM-L6-v2",
        "leave the base model out for all-MiniLM-L6-v2"),
    "use-cpu": Words("use --device cpu", "use the CPU", "use the CPU"),
    "time-column": Words("--time COLUMN", "a time column", "time_column"),
    "rating-column": Words("--rating COLUMN", "a rating column", "rating_column"),
    "event-column": Words("--event COLUMN", "an event-type column", "event_column"),
    "random-split": Words("use --split random", "use a random split", "use split=\"random\""),
    "check-user-item-rating": Words(
        "check --user/--item/--rating",
        "check the user and item columns",
        "check user_column and item_column"),
    "check-user-item": Words(
        "check --user and --item",
        "check the user and item columns",
        "check user_column and item_column"),
    "source-url": Words(
        "give a URL such as postgresql://USER:env:VAR@HOST:5432/DATABASE, mysql://…, sqlite:///PATH, https://… or "
        "a log file or folder",
        "enter a URL such as postgresql://USER:env:VAR@HOST:5432/DATABASE, mysql://…, sqlite:///PATH, https://… "
        "or a log file or folder",
        "ask the user for a URL such as postgresql://USER:env:VAR@HOST:5432/DATABASE, mysql://…, sqlite:///PATH, "
        "https://… or a log file or folder"),
    "source-options": Words("leave those options out, or see `stocktake source add --help` for each kind",
                            "leave those options out", "call it again without those options"),
    "source-password": Words(
        "put env:VAR where the password was (VAR holding it), or leave it out and use ~/.pgpass (PostgreSQL)",
        "put env:VAR where the password was (VAR holding it on the server), or leave it out and use ~/.pgpass "
        "(PostgreSQL)",
        "ask the user to put env:VAR where the password was, or to use ~/.pgpass (PostgreSQL); never repeat the "
        "password"),
    "source-set-env": Words("set {var} and try again", "set {var} where the app runs, and try again",
                            "ask the user to set {var}"),
    "source-check-password": Words("check the password held in {var}",
                                   "check the password that {var} holds where the app runs",
                                   "ask the user to check the password held in {var}"),
    "source-pgpass": Words(
        "check the password for this host in ~/.pgpass, or put env:VAR in the URL",
        "check the password for this host in the app's ~/.pgpass, or put env:VAR in the URL",
        "ask the user to check ~/.pgpass, or to put env:VAR in the URL"),
    "source-password-env": Words(
        "put env:VAR where the password goes in the URL (VAR holding it)",
        "put env:VAR where the password goes in the URL (VAR holding it where the app runs)",
        "ask the user to put env:VAR where the password goes in the URL; never ask for the password itself"),
    "source-sqlite-file": Words(
        "check that the path names a SQLite database file, as in sqlite:///path/to/shop.db",
        "check that the path names a SQLite database file",
        "ask the user to check that the path names a SQLite database file"),
    "source-database": Words("check the database name at the end of the URL", "check the database name",
                             "ask the user to check the database name"),
    "source-user": Words("check the user name in the URL", "check the user name", "ask the user to check the user"),
    "source-reach": Words(
        "check the host and port in the URL, and that the server is running",
        "check the host and port, and that the server is running",
        "ask the user to check the host, the port and that the server is running"),
    "source-timeout": Words(
        "read less with --limit or --sample, or set STOCKTAKE_INGEST_TIMEOUT_S to allow more time",
        "read less of the table, or allow more time (STOCKTAKE_INGEST_TIMEOUT_S)",
        "suggest reading less of the table with a limit or a sample"),
    "source-retry": Words("nothing was changed; try again, or pick tables with --tables",
                          "nothing was changed; try again", "nothing was changed; try again"),
    "source-replace": Words(
        "use --replace to register it again, or choose another name",
        "choose another name",
        "register it again with replace, or under another name"),
    "source-tables": Words("check --tables (glob patterns such as 'order*')", "check the table patterns",
                           "check the table patterns"),
    "source-readd": Words(
        "register it again with `stocktake source add {name} URL --replace` (earlier versions are kept)",
        "register the source again (earlier versions are kept)",
        "ask the user to register the source again with replace (earlier versions are kept)"),
    "source-cursor": Words("give --incremental a column such as updated_at or id",
                           "choose a column such as updated_at or id",
                           "give incremental a column such as updated_at or id"),
    "source-limit": Words("read part of it with --limit or --sample", "read part of it",
                          "suggest reading part of it with a limit or a sample"),
    "source-log-format": Words(
        "give --format combined, jsonl, or regex with --pattern",
        "choose the log format (combined, jsonl, or regex with a pattern)",
        "ask the user which log format it is (combined, jsonl, or regex with a pattern)"),
    "source-log-pattern": Words(
        "give --pattern a regular expression with named groups, such as '(?P<ts>\\S+) (?P<action>.*)'",
        "enter a regular expression with named groups, such as (?P<ts>\\S+) (?P<action>.*)",
        "ask the user for a regular expression with named groups, such as (?P<ts>\\S+) (?P<action>.*)"),
    "source-log-path": Words("give a path on this machine, or a file:///absolute/path URL",
                             "give a path on the machine the app runs on", "ask the user for a local path"),
    "source-url-secret": Words(
        "pass it as --header NAME=env:VAR instead (the variable VAR holding it)",
        "pass it as a header whose value an environment variable holds, where the app runs",
        "ask the user to pass it as a header NAME=env:VAR instead; never repeat the secret"),
    "source-header": Words(
        "give each --header as NAME=env:VAR or NAME=Bearer env:VAR, the variable VAR holding the value",
        "give each header as NAME=env:VAR, the variable VAR holding the value where the app runs",
        "ask the user for each header as NAME=env:VAR; never repeat a header's value"),
    "source-paginate": Words(
        "use --paginate cursor:FIELD[:PARAM], page:PARAM, offset:PARAM or link (see `stocktake source add --help`)",
        "choose cursor:FIELD, page:PARAM, offset:PARAM or link",
        "give paginate as cursor:FIELD, page:PARAM, offset:PARAM or link"),
    "source-https": Words("use its https:// URL", "enter its https:// URL", "ask the user for its https:// URL"),
    "source-api-url": Words("check the URL and its query parameters", "check the address and its parameters",
                            "ask the user to check the URL"),
    "source-api-redirect": Words("give the URL it redirects to", "enter the address it redirects to",
                                 "ask the user for the URL it redirects to"),
    "source-api-auth": Words(
        "nothing was changed; check the token that the --header variables hold, or give one with "
        "--header Authorization=Bearer env:VAR",
        "nothing was changed; check the token that the header variables hold where the app runs",
        "nothing was changed; ask the user to check the API token (a header NAME=env:VAR)"),
    "source-api-retry": Words(
        "nothing was changed; try again later, or retry for longer with STOCKTAKE_SOURCE_RETRIES and "
        "STOCKTAKE_SOURCE_BACKOFF_S",
        "nothing was changed; try again later",
        "nothing was changed; suggest trying again later"),
    "source-api-timeout": Words(
        "nothing was changed; try again later, or set STOCKTAKE_SOURCE_TIMEOUT_S to allow more time",
        "nothing was changed; try again later (STOCKTAKE_SOURCE_TIMEOUT_S allows more time)",
        "nothing was changed; suggest trying again later"),
    "source-api-reach": Words(
        "nothing was changed; check the host and port in the URL, and that the API is up",
        "nothing was changed; check the host and port, and that the API is up",
        "nothing was changed; ask the user to check the host and that the API is up"),
    "source-api-json": Words(
        "nothing was changed; check that the URL is the API's endpoint and what it needs to sign in (--header), "
        "then try again",
        "nothing was changed; check that the address is the API's endpoint and what it needs to sign in",
        "nothing was changed; ask the user to check the endpoint's URL and its sign-in"),
    "source-api-smaller": Words(
        "nothing was changed; ask for smaller pages with the API's page-size parameter in the URL (per_page=100)",
        "nothing was changed; ask for smaller pages with the API's page-size parameter",
        "nothing was changed; suggest smaller pages (the API's page-size parameter in the URL)"),
    "source-api-pages": Words(
        "nothing was changed; to read the first pages only, give --max-pages N",
        "nothing was changed; read fewer pages, or raise the limit where the app runs",
        "nothing was changed; suggest reading the first pages only with max_pages"),
    "source-api-origin": Words(
        "nothing was changed; Stocktake follows next links on the endpoint's own host only, so that its headers "
        "go nowhere else: register that host's endpoint if it is the API's own",
        "nothing was changed; next links are followed on the endpoint's own host only, so that its headers go "
        "nowhere else",
        "nothing was changed; next links are followed on the endpoint's own host only"),
    "source-json-path": Words(
        "choose the list of records with --json-path (dotted, as data.items)",
        "choose where the records are (dotted, as data.items)",
        "give json_path, where the records are (dotted, as data.items)"),
    "source-api-empty": Words(
        "check the URL's query parameters, or register it once the endpoint returns records",
        "check the address's parameters, or register it once the endpoint returns records",
        "ask the user to check the URL, or to register it once the endpoint returns records"),
}

# The inputs a user gives, as each face names them: the CLI's option, the app's control (quoted as it is labelled;
# an input the app does not offer is described), the tool's argument. An option is a name, never given a capital
# letter, so each one is worded to fit the sentences that name it.
OPTIONS: dict[str, Words] = {
    "encoding": Words("--encoding", "encoding", "encoding"),
    "from_version": Words("--from", "'From version'", "from_version"),
    "to_version": Words("--to", "'To version'", "to_version"),
    "columns": Words("--columns", "the list of column names", "columns"),
    "test_size": Words("--test-size", "Test share", "test_size"),
    "ks": Words("--k", "Cut-off list", "ks"),
    "min_rating": Words("--min-rating", "Minimum rating", "min_rating"),
    "weights": Words("--weights", "Weighting by event", "weights"),
    "split": Words("--split", "Split", "split"),
    "user": Words("--user", "'User column'", "user_column"),
    "item": Words("--item", "'Item column'", "item_column"),
    "event": Words("--event", "'Event-type column'", "event_column"),
    "time": Words("--time", "Time", "time_column"),
    "rating": Words("--rating", "Rating", "rating_column"),
    "n": Words("--n", "'How many'", "n"),
    "k": Words("--k", "'Hits'", "k"),
    "device": Words("--device", "Device", "device"),
    "text": Words("--text", "'Text column(s)'", "text_column"),
    "label": Words("--label", "'Label column'", "label_column"),
}
