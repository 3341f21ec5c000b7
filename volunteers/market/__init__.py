"""The public service market: volunteers offer services for free; verified local residents request them."""
