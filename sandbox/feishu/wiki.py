"""The wiki ``get_node`` endpoint: node tokens resolved to their objects."""

from __future__ import annotations

from typing import Any

from sandbox.feishu.errors import ApiError
from sandbox.feishu.service import Call, Service

OBJ_TYPES = frozenset(
    {"doc", "docx", "sheet", "mindnote", "bitable", "file", "slides", "wiki"}
)


def get_node(service: Service, call: Call) -> dict[str, Any]:
    """GET /open-apis/wiki/v2/spaces/get_node?token=&obj_type=."""
    token = call.query.get("token", "")
    obj_type = call.query.get("obj_type", "wiki")
    if not token or len(token) > 999 or obj_type not in OBJ_TYPES:
        msg = (
            "param error: token must be 1-999 characters and obj_type one of"
            f" {sorted(OBJ_TYPES)}"
        )
        raise ApiError(131002, msg)

    node_token = token
    node = service.store.wiki_node(token) if obj_type == "wiki" else None
    if obj_type != "wiki":
        rows = service.store.query(
            "SELECT node_token FROM wiki_nodes WHERE obj_token = ? AND obj_type = ?",
            (token, obj_type),
        )
        if rows:
            node_token = rows[0][0]
            node = service.store.wiki_node(node_token)
    if node is None:
        error = ApiError(131005, f"node not found: {token!r} (obj_type {obj_type})")
        raise error
    if call.app_id not in node["readers"]:
        msg = f"permission denied: app {call.app_id} cannot read the wiki node"
        raise ApiError(131006, msg)

    created = str(node["created_s"])
    return {
        "node": {
            "space_id": node["space_id"],
            "node_token": node_token,
            "obj_token": node["obj_token"],
            "obj_type": node["obj_type"],
            "parent_node_token": "",
            "node_type": "origin",
            "origin_node_token": node_token,
            "origin_space_id": node["space_id"],
            "has_child": False,
            "title": node["title"],
            "obj_create_time": created,
            "obj_edit_time": created,
            "node_create_time": created,
            "creator": "ou_sandbox_owner",
            "owner": "ou_sandbox_owner",
            "node_creator": "ou_sandbox_owner",
        }
    }
