"""File stores: a local directory by default, any S3-compatible store when configured."""
from afrobiz.storage.stores import FileStore, LocalStore, S3Store, get_store, valid_key

__all__ = ["FileStore", "LocalStore", "S3Store", "get_store", "valid_key"]
