"""The attack documents of the suite (built here, nothing fetched): each reproduces one
finding of issue 21 at its original size."""

from __future__ import annotations

RDF_HEAD = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
)


def billion_laughs() -> bytes:
    """Nested internal entities (about 1 KB) that expand to gigabytes."""
    ents = ['<!ENTITY lol0 "lolololololololololol">']
    ents += [f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    dtd = "<!DOCTYPE rdf:RDF [" + "".join(ents) + "]>"
    body = '<rdf:Description rdf:about="https://w3id.org/svckg/id/lol"><rdfs:label>&lol9;'
    return (
        '<?xml version="1.0"?>' + dtd + RDF_HEAD + body + "</rdfs:label>"
        "</rdf:Description></rdf:RDF>"
    ).encode()


def quadratic_blowup() -> bytes:
    """One 100 KB entity referenced 1,000 times (about 106 KB; expands to 100 MB per literal)."""
    dtd = '<!DOCTYPE rdf:RDF [<!ENTITY a "' + "x" * 100_000 + '">]>'
    body = '<rdf:Description rdf:about="https://w3id.org/svckg/id/q"><rdfs:label>'
    return (
        dtd + RDF_HEAD + body + "&a;" * 1_000 + "</rdfs:label></rdf:Description></rdf:RDF>"
    ).encode()


def external_entity(url: str = "file:///etc/passwd") -> bytes:
    dtd = f'<!DOCTYPE rdf:RDF [<!ENTITY ext SYSTEM "{url}">]>'
    body = '<rdf:Description rdf:about="https://w3id.org/svckg/id/x"><rdfs:label>&ext;'
    return (dtd + RDF_HEAD + body + "</rdfs:label></rdf:Description></rdf:RDF>").encode()


def deep_nesting(levels: int = 30_000) -> bytes:
    """RDF/XML nested ``levels`` deep (30,000 levels: about 1.9 MB; the
    engine alone spends tens of CPU seconds on it)."""
    return (
        RDF_HEAD
        + "<rdf:Description><rdfs:seeAlso>" * levels
        + "</rdfs:seeAlso></rdf:Description>" * levels
        + "</rdf:RDF>"
    ).encode()


ARCHIMATE_HEAD = '<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/" identifier="m">'


def archimate_laughs() -> bytes:
    ents = ['<!ENTITY l0 "lololololol">']
    ents += [f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    return (
        "<!DOCTYPE model [" + "".join(ents) + "]>" + ARCHIMATE_HEAD + "<name>&l9;</name></model>"
    ).encode()


def send_chunked(
    base: str,
    path: str,
    headers: dict[str, str],
    total: int,
    chunk: bytes = b"x" * 65536,
    prefix: bytes = b"",
) -> tuple[int, int]:
    """POST ``total`` bytes chunked (no Content-Length) over a raw socket, stopping as soon
    as the server answers; returns (status, bytes sent when the answer came)."""
    import select
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(base)
    sock = socket.create_connection((url.hostname, url.port), timeout=30)
    head = f"POST {path} HTTP/1.1\r\nHost: {url.netloc}\r\nTransfer-Encoding: chunked\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    sent = 0
    try:
        sock.sendall(head.encode())
        if prefix:
            sock.sendall(b"%x\r\n%s\r\n" % (len(prefix), prefix))
        while sent < total:
            if select.select([sock], [], [], 0)[0]:
                break
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:
                break
            sent += len(chunk)
        else:
            sock.sendall(b"0\r\n\r\n")
        sock.settimeout(60)
        answer = sock.recv(4096)
    finally:
        sock.close()
    return int(answer.split(b" ", 2)[1]), sent


def graphql_breadth(levels: int = 9, first: int = 100) -> str:
    """Fragments that each select the same relation twice (aliased), ``levels`` deep, under
    a connection page: short text, depth within the limit, 2**levels fields per element."""
    frags = ["fragment R0 on Resource { label iri }"]
    for i in range(1, levels + 1):
        frags.append(
            f"fragment R{i} on Resource {{ a: usesResource {{ ...R{i - 1} }}"
            f" b: usesResource {{ ...R{i - 1} }} }}"
        )
    query = f"{{ resources(first: {first}) {{ edges {{ node {{ ...R{levels} }} }} }} }}"
    return query + " " + " ".join(frags)
