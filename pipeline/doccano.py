"""A small typed client of the Doccano 1.8 REST API, and setup / push / pull on top of it.

Why not doccano-client: its 1.2.8 release pins pydantic<2 and urllib3<2, which cannot be
installed beside spaCy 3.8 (pydantic 2). The calls fazhi needs are few (token login,
projects, label and relation types, examples, spans, relations, export), so they are
written here against `requests`, which spaCy already depends on. Credentials are read
from the environment or a config file and never printed or logged.
"""

from __future__ import annotations

import io
import json
import logging
import os
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import requests

from .annotation import AnnotatedDoc, from_doccano, write_doccano
from .errors import FazhiError
from .schema import COLOURS, RELATIONS, SPAN_LABELS
from .validate import validate

logger = logging.getLogger(__name__)
ENV_URL, ENV_USER, ENV_PASSWORD = "FAZHI_DOCCANO_URL", "FAZHI_DOCCANO_USERNAME", "FAZHI_DOCCANO_PASSWORD"


class DoccanoError(FazhiError):
    """The Doccano server could not be reached or refused a request."""


@dataclass(frozen=True)
class Credentials:
    url: str
    username: str
    password: str

    def __repr__(self) -> str:  # never show the password
        return f"Credentials(url={self.url!r}, username={self.username!r}, password='***')"

    @classmethod
    def load(cls, config: Path | None = None, url: str | None = None) -> "Credentials":
        """From --url / the environment, else a JSON config file {"url", "username", "password"}."""
        values = {}
        if config is not None:
            try:
                values = json.loads(Path(config).read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as error:
                raise DoccanoError(f"{config}: cannot read the Doccano config ({error})") from error
        found = {
            "url": url or os.environ.get(ENV_URL) or values.get("url"),
            "username": os.environ.get(ENV_USER) or values.get("username"),
            "password": os.environ.get(ENV_PASSWORD) or values.get("password"),
        }
        missing = [name for name, value in found.items() if not value]
        if missing:
            raise DoccanoError(
                f"missing Doccano {', '.join(missing)}: set {ENV_URL}, {ENV_USER} and {ENV_PASSWORD}, "
                "or pass --config FILE with url, username and password"
            )
        return cls(found["url"].rstrip("/"), found["username"], found["password"])


class DoccanoClient:
    def __init__(self, credentials: Credentials, timeout: float = 30.0):
        self.url = credentials.url
        self.timeout = timeout
        self.session = requests.Session()
        key = self._call("POST", "/v1/auth/login/", json={"username": credentials.username, "password": credentials.password})["key"]
        # Token authentication only: the login also set a session cookie, which would make
        # Django demand a CSRF token on every write.
        self.session.cookies.clear()
        self.session.headers["Authorization"] = f"Token {key}"

    def _call(self, method: str, path: str, **kwargs):
        try:
            response = self.session.request(method, self.url + path, timeout=self.timeout, **kwargs)
        except requests.ConnectionError as error:
            raise DoccanoError(f"cannot reach the Doccano server at {self.url} ({type(error).__name__}); is it running?") from error
        except requests.Timeout as error:
            raise DoccanoError(f"{method} {path}: no answer from {self.url} within {self.timeout:.0f} s") from error
        if response.status_code == 400 and path == "/v1/auth/login/":
            raise DoccanoError(f"Doccano at {self.url} refused the login: wrong username or password")
        if response.status_code >= 400:
            raise DoccanoError(f"{method} {path}: HTTP {response.status_code} from Doccano: {response.text[:300]}")
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.content

    def _paginate(self, path: str, page_size: int = 100) -> Iterator[dict]:
        offset = 0
        while True:
            page = self._call("GET", path, params={"limit": page_size, "offset": offset})
            results = page["results"] if isinstance(page, dict) else page
            yield from results
            if not isinstance(page, dict) or not page.get("next"):
                return
            offset += len(results)

    def create_project(self, name: str, description: str, guideline: str) -> int:
        return self._call("POST", "/v1/projects", json={
            "name": name, "description": description, "guideline": guideline,
            "project_type": "SequenceLabeling", "resourcetype": "SequenceLabelingProject",
            "use_relation": True, "allow_overlapping": True, "collaborative_annotation": True,
        })["id"]

    def create_type(self, project: int, kind: str, name: str, colour: str) -> int:
        """kind: "span-types" or "relation-types"."""
        return self._call("POST", f"/v1/projects/{project}/{kind}",
                          json={"text": name, "background_color": colour, "text_color": "#000000"})["id"]

    def types(self, project: int, kind: str) -> dict[str, int]:
        listed = self._call("GET", f"/v1/projects/{project}/{kind}")
        return {item["text"]: item["id"] for item in (listed["results"] if isinstance(listed, dict) else listed)}

    def create_example(self, project: int, text: str, meta: dict) -> int:
        return self._call("POST", f"/v1/projects/{project}/examples", json={"text": text, "meta": meta})["id"]

    def examples(self, project: int) -> Iterator[dict]:
        return self._paginate(f"/v1/projects/{project}/examples")

    def create_span(self, project: int, example: int, label: int, start: int, end: int) -> int:
        return self._call("POST", f"/v1/projects/{project}/examples/{example}/spans",
                          json={"label": label, "start_offset": start, "end_offset": end})["id"]

    def create_relation(self, project: int, example: int, head: int, tail: int, relation_type: int) -> int:
        return self._call("POST", f"/v1/projects/{project}/examples/{example}/relations",
                          json={"from_id": head, "to_id": tail, "type": relation_type})["id"]

    def export_jsonl(self, project: int, wait: float = 120.0) -> list[dict]:
        """Export through the Celery worker; the records of the zipped JSONL."""
        task = self._call("POST", f"/v1/projects/{project}/download", json={"format": "JSONL", "exportApproved": False})["task_id"]
        deadline = time.monotonic() + wait
        while True:
            status = self._call("GET", f"/v1/tasks/status/{task}")
            if status.get("error"):
                raise DoccanoError(f"Doccano export of project {project} failed: {status['error']}")
            if status.get("ready"):
                break
            if time.monotonic() > deadline:
                raise DoccanoError(f"Doccano export of project {project} did not finish in {wait:.0f} s; is `doccano task` running?")
            time.sleep(0.5)
        archive = zipfile.ZipFile(io.BytesIO(self._call("GET", f"/v1/projects/{project}/download", params={"taskId": task})))
        records = []
        for name in archive.namelist():
            for number, line in enumerate(archive.read(name).decode("utf-8").splitlines(), start=1):
                if line.strip():
                    records.append((f"export:{name}:{number}", json.loads(line)))
        return records


def setup_project(client: DoccanoClient, name: str, guideline: str) -> int:
    project = client.create_project(name, "fazhi-ie annotation (schema: spec/schema.md)", guideline)
    for label in SPAN_LABELS:
        client.create_type(project, "span-types", label, COLOURS[label])
    for relation in RELATIONS:
        client.create_type(project, "relation-types", relation, COLOURS[relation])
    return project


def push(client: DoccanoClient, project: int, docs: Iterable[AnnotatedDoc]) -> int:
    """Upload texts; their spans and relations (gold or model predictions) become pre-annotations."""
    span_types = client.types(project, "span-types")
    relation_types = client.types(project, "relation-types")
    count = 0
    for doc in docs:
        example = client.create_example(project, doc.text, {"source_id": doc.doc_id, **doc.meta})
        ids = {span.id: client.create_span(project, example, span_types[span.label], span.start, span.end) for span in doc.spans}
        for relation in doc.relations:
            client.create_relation(project, example, ids[relation.head], ids[relation.tail], relation_types[relation.label])
        count += 1
    return count


def pull(client: DoccanoClient, project: int, out: Path) -> list[AnnotatedDoc]:
    """Export, validate and write Doccano JSONL atomically: on any error the previous file stays."""
    docs, errors = [], []
    for where, record in client.export_jsonl(project):
        doc = from_doccano(record, where)
        errors.extend(str(p) for p in validate(doc, f"{where} ({doc.doc_id})") if p.severity == "error")
        docs.append(doc)
    if errors:
        raise DoccanoError(f"the export of project {project} does not validate; {out} was left unchanged:\n" + "\n".join(errors[:30]))
    write_doccano(docs, out)
    return docs
