"""Where a feed entry becomes an update: fetch, parse, store, classify, read deadlines."""
