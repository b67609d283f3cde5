"""The classic sync program: one thing after another, over one connection."""

from classic import connect, cpu_bound, download_site


class Program:
    def __init__(self, workers, concurrency):
        self.connection = None

    def download_all(self, urls):
        if self.connection is None:
            self.connection = connect(urls[0])
        return [download_site(self.connection, url) for url in urls]

    def find_sums(self, numbers):
        return [cpu_bound(number) for number in numbers]

    def close(self):
        if self.connection is not None:
            self.connection.close()
