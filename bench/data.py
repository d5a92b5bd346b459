"""Realistic reviews in bulk for the benchmark and the query-count tests: ``build_dataset`` lives in
``review_process.bulk_load`` (shared with ``manage.py seed_load``); this module keeps the benchmark's name."""

from review_process.bulk_load import Dataset, build_dataset

__all__ = ["Dataset", "build_dataset"]
