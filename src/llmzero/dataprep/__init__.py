"""Building a corpus from real data: fetch, clean, deduplicate, describe and shard.

The steps run on datatrove (the library FineWeb was made with): its readers, extractors, filters,
MinHash deduplication and executors, with llmzero's own blocks where it has none. Each step reads a
folder of documents and writes another one, so a run can stop after any step and go on later.
"""
