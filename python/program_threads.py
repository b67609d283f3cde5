"""The classic threading program: a thread pool, each thread with its own connection.

Threads overlap waiting: a thread that waits for the network releases the GIL. They do not
overlap computing: the GIL lets one thread at a time run Python code.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from classic import connect, cpu_bound, download_site


class Program:
    def __init__(self, workers, concurrency):
        # As many threads as downloads in flight; as many as cores for computing. A pool
        # starts its threads as work arrives, so the one a job does not use costs nothing.
        self.downloads = ThreadPoolExecutor(max_workers=concurrency)
        self.sums = ThreadPoolExecutor(max_workers=workers)
        self.local = threading.local()

    def _download(self, url):
        if not hasattr(self.local, "connection"):
            self.local.connection = connect(url)
        return download_site(self.local.connection, url)

    def download_all(self, urls):
        return list(self.downloads.map(self._download, urls))

    def find_sums(self, numbers):
        return list(self.sums.map(cpu_bound, numbers))

    def close(self):
        self.downloads.shutdown()
        self.sums.shutdown()
