"""What the loggers show beyond Lightning's defaults: W&B run names, groups and tags, and
the tables, curves and files of an evaluation."""
