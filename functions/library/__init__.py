"""The media library's domain: pure, no AWS (no boto3, no Powertools; tests/unit/test_purity.py checks it).

What the files API means, apart from where it is stored and how it is served: file paths and keys
(paths.py), what kind of file an object is (kinds.py), the searchQuery language (query.py), the domain's
errors (errors.py). The API (service.api) and the storage (service.storage) both use it.
"""
