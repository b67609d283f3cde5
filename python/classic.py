"""The two jobs of the classic concurrency experiment, one item each, as every program runs them.

Standard library only. A download goes over a keep-alive ``http.client`` connection that
the caller keeps, so each model decides how many connections it holds: one for sync, one
per thread, one per process. The body is checksummed (SHA-1, as switchyard's sites server
does) so that the bench can verify that every byte arrived.
"""

import hashlib
import http.client
from urllib.parse import urlsplit


def cpu_bound(number):
    """The classic CPU job: sum(i * i for i < n), exact (Python's integers have no limit)."""
    return sum(i * i for i in range(number))


def connect(url):
    """A keep-alive connection to the origin of ``url``; it opens on its first request."""
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port)


def download_site(connection, url):
    """Downloads one site over ``connection``: its status, size and checksum."""
    connection.request("GET", urlsplit(url).path)
    response = connection.getresponse()
    return site_download(response.status, response.read())


def site_download(status, body):
    """What every program reports for one site, whatever client fetched it."""
    return {"status": status, "bytes": len(body), "checksum": hashlib.sha1(body).hexdigest()}
