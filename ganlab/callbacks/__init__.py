"""Lightning callbacks and the logger/callback factory used for every stage."""
