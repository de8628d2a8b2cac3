"""textlab: recurrent language models you can chat with and study."""

import os

# Replies are drawn one character at a time with NumPy matrix-vector products. A second OpenBLAS thread only
# fights torch's OpenMP worker for the other core: one thread gave the first character in 39 ms instead of 139 ms,
# and 1,850 instead of 1,610 chars/s, on 2 cores. Set before NumPy loads; an explicit setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
