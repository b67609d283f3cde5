"""The classic asyncio program: one thread, one event loop, every download in flight at once.

HTTP/1.1 by hand over ``asyncio.open_connection`` streams (the standard library has no
asyncio HTTP client), keeping each connection alive for the next download.
"""

import asyncio
from urllib.parse import urlsplit

from classic import site_download


class Program:
    def __init__(self, workers, concurrency):
        # One loop for the program's life: the kept connections belong to it.
        self.loop = asyncio.new_event_loop()
        self.idle = []

    async def _download(self, url):
        parts = urlsplit(url)
        if self.idle:
            reader, writer = connection = self.idle.pop()
        else:
            reader, writer = connection = await asyncio.open_connection(parts.hostname, parts.port)
        request = f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n"
        writer.write(request.encode("ascii"))
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        status_line, *header_lines = head.split("\r\n")
        length = 0
        for line in header_lines:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        body = await reader.readexactly(length)
        self.idle.append(connection)
        return site_download(int(status_line.split(" ")[1]), body)

    async def _download_all(self, urls):
        return await asyncio.gather(*(self._download(url) for url in urls))

    def download_all(self, urls):
        return self.loop.run_until_complete(self._download_all(urls))

    def close(self):
        for _, writer in self.idle:
            writer.close()
        self.loop.close()
