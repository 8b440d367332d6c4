"""File names inside a generation's ``index/`` directory, shared by the builder and the reader."""

INDEX_VERSION = 4  # 4: dedupe keys hashed with XXH3 (``key_hash``)
META = "meta.json"
PAPERS_BLOB = "papers.bin"
PAPERS_SPANS = "papers_spans.npy"  # int64 (start, length) per paper id
ROWS_BLOB = "rows.bin"
ROWS_SPANS = "rows_spans.npy"
ROW_STATS = "row_stats.npy"  # int32 columns: papers, year_min, year_max
CLUSTER_KEYS = "cluster_keys.txt"
CLUSTER_NAMES = "cluster_names.txt"
CLUSTER_STATS = "cluster_stats.npy"  # int32 columns: papers, rows, year_min, year_max, key_chars
CLUSTER_PAPER_OFFSETS = "cluster_paper_off.npy"
CLUSTER_PAPER_IDS = "cluster_paper_ids.npy"
CLUSTER_ROW_OFFSETS = "cluster_row_off.npy"
CLUSTER_ROW_IDS = "cluster_row_ids.npy"
ROW_CLUSTER = "row_cluster.npy"
NAME_TOKENS = "name_tokens.txt"
NAME_TOKEN_OFFSETS = "name_token_off.npy"
NAME_TOKEN_CLUSTERS = "name_token_clusters.npy"
TRIGRAM_CODES = "trigram_codes.npy"
TRIGRAM_OFFSETS = "trigram_off.npy"
TRIGRAM_CLUSTERS = "trigram_clusters.npy"
TITLE_WORDS = "title_words.txt"
TITLE_WORD_OFFSETS = "title_word_off.npy"
TITLE_WORD_PAPERS = "title_word_papers.npy"
PAPER_YEARS = "paper_years.npy"
PAPER_ROW_OFFSETS = "paper_row_off.npy"  # CSR: each paper's author rows, in order
PAPER_ROW_IDS = "paper_row_ids.npy"
DEDUPE_KEYS = "dedupe_keys.npy"  # 64-bit key hashes
DEDUPE_IDS = "dedupe_ids.npy"

STAT_PAPERS, STAT_ROWS, STAT_YEAR_MIN, STAT_YEAR_MAX, STAT_KEY_CHARS = range(5)
ROW_STAT_PAPERS, ROW_STAT_YEAR_MIN, ROW_STAT_YEAR_MAX = range(3)
