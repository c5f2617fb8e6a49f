from stocktake.cli.main import run

run()
