"""Benchmarks: figures, not tests. See README.md."""

import os

# The benchmarks load pages and endpoints many times a minute from one address: the rate limits, which
# would answer 429, are not what they measure.
for _name, _rate in [("YICANG_PAGE_RATE", "1000000/m"), ("API_THROTTLE_ANON", "1000000/minute")]:
    os.environ.setdefault(_name, _rate)
os.environ.setdefault("API_THROTTLE_TRACE", "1000000/minute")
