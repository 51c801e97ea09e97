"""What keeps files from choosing what runs: the targets a stored config may name, and the
fingerprint of the code that built a cached result."""
