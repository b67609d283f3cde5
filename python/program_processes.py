"""The classic multiprocessing program: a pool of worker processes, one connection each.

Each process has its own interpreter and its own GIL, so computing spreads over the cores;
a process that waits for the network waits alone, so downloads overlap only as many at a
time as there are processes.
"""

import multiprocessing

from classic import connect, cpu_bound, download_site

# Each worker process keeps its own connection, opened by its first download.
connection = None


def download(url):
    global connection
    if connection is None:
        connection = connect(url)
    return download_site(connection, url)


class Program:
    def __init__(self, workers, concurrency):
        self.pool = multiprocessing.Pool(workers)

    def download_all(self, urls):
        return self.pool.map(download, urls)

    def find_sums(self, numbers):
        return self.pool.map(cpu_bound, numbers)

    def close(self):
        self.pool.terminate()
        self.pool.join()
