"""What a person reads after a run: labelled grids, plots, and report.html per run and per sweep."""
