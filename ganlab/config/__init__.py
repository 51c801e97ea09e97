"""Config checks and helpers shared by train.py, eval.py, the zoo and the tests."""
