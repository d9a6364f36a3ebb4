import httpx


def test_memory(memory_store):
    assert memory_store.graphs() == []


def test_server(oxigraph_server):
    r = httpx.get(f"{oxigraph_server}/query", params={"query": "ASK {}"})
    assert r.status_code == 200
