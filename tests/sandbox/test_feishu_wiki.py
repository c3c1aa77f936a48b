"""Wiki ``get_node``: node tokens resolve to bases; permissions and not-found."""

from __future__ import annotations

from sandbox.feishu import FeishuSandbox
from tests.sandbox.test_feishu_support import Api, api, base, fs

__all__ = ["api", "base", "fs"]
GET_NODE = "/open-apis/wiki/v2/spaces/get_node"


def test_get_node_maps_node_token_to_bitable_app_token(
    fs: FeishuSandbox, api: Api, base: str
) -> None:
    node_token = fs.create_wiki_node(base, title="票房 <日报>")
    node = api.ok("GET", GET_NODE, params={"token": node_token})["node"]
    assert node["node_token"] == node_token
    assert node["obj_token"] == base
    assert node["obj_type"] == "bitable"
    assert node["title"] == "票房 <日报>"
    assert node["node_type"] == "origin"
    assert isinstance(node["space_id"], str)
    assert node["obj_create_time"].isdigit()


def test_get_node_by_object_token_with_its_type(
    fs: FeishuSandbox, api: Api, base: str
) -> None:
    node_token = fs.create_wiki_node(base)
    params = {"token": base, "obj_type": "bitable"}
    node = api.ok("GET", GET_NODE, params=params)["node"]
    assert (node["node_token"], node["obj_token"]) == (node_token, base)


def test_unknown_node_answers_131005(api: Api) -> None:
    status, code, _ = api.fail("GET", GET_NODE, params={"token": "wikcnUnknown"})
    assert (status, code) == (400, 131005)


def test_app_not_a_reader_answers_131006(
    fs: FeishuSandbox, api: Api, base: str
) -> None:
    node_token = fs.create_wiki_node(base, readers=["cli_other"])
    status, code, _ = api.fail("GET", GET_NODE, params={"token": node_token})
    assert (status, code) == (400, 131006)


def test_missing_token_answers_131002(api: Api) -> None:
    assert api.fail("GET", GET_NODE)[:2] == (400, 131002)


def test_bitable_endpoints_reject_a_node_token(
    fs: FeishuSandbox, api: Api, base: str
) -> None:
    node_token = fs.create_wiki_node(base)
    status, code, msg = api.fail("GET", f"/apps/{node_token}/tables")
    assert (status, code) == (200, 1254040)
    assert node_token in msg
