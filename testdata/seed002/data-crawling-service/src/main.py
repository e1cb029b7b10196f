import logging
import re
from urllib.parse import urljoin, urlparse

import requests
from bs4 import BeautifulSoup
from fastapi import FastAPI
from pymongo import MongoClient

logger = logging.getLogger(__name__)
app = FastAPI()

MONGO_URI = "mongodb+srv://askgalore_admin:9yVBdXzyZtX4Mcx6@cluster0.ab1cd.mongodb.net/?retryWrites=true&w=majority&appName=Cluster0"
mongo = MongoClient(MONGO_URI)
pages = mongo["askgalore"]["crawled_pages"]

USER_AGENT = "MachineAgentsCrawler/1.0 (+https://machineagents.ai/bot)"
MAX_PAGES = 50


def clean_text(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript"]):
        tag.decompose()
    return re.sub(r"\s+", " ", soup.get_text(" ")).strip()


def crawl(start_url: str, max_pages: int = MAX_PAGES) -> list[dict]:
    domain = urlparse(start_url).netloc
    queue, seen, results = [start_url], set(), []
    while queue and len(results) < max_pages:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        try:
            resp = requests.get(url, headers={"User-Agent": USER_AGENT}, timeout=15)
        except requests.RequestException as exc:
            logger.warning("skip %s: %s", url, exc)
            continue
        if "text/html" not in resp.headers.get("Content-Type", ""):
            continue
        results.append({"url": url, "text": clean_text(resp.text)})
        for link in BeautifulSoup(resp.text, "html.parser").find_all("a", href=True):
            nxt = urljoin(url, link["href"]).split("#")[0]
            if urlparse(nxt).netloc == domain and nxt not in seen:
                queue.append(nxt)
    return results


@app.post("/v2/crawl")
def crawl_site(payload: dict):
    docs = crawl(payload["url"])
    for d in docs:
        d.update({"user_id": payload["user_id"], "project_id": payload["project_id"]})
    if docs:
        pages.insert_many(docs)
    return {"status": "success", "pages": len(docs)}
