"""Upload PDFs / DOCX files for a chatbot's knowledge base and store the text."""
import io
import logging
from datetime import datetime

from fastapi import FastAPI, File, Form, UploadFile
from pymongo import MongoClient
from pypdf import PdfReader

logger = logging.getLogger("chatbot-file-upload-service")
app = FastAPI()

MONGO_URI = "mongodb+srv://askgalore_admin:9yVBdXzyZtX4Mcx6@cluster0.ab1cd.mongodb.net/?retryWrites=true&w=majority&appName=Cluster0"
DB_NAME = "askgalore"

client = MongoClient(MONGO_URI)
db = client[DB_NAME]
files_collection = db["files"]

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def extract_text(data: bytes, filename: str) -> str:
    if filename.lower().endswith(".pdf"):
        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    return data.decode("utf-8", errors="ignore")


@app.post("/v2/upload-file")
async def upload_file(user_id: str = Form(...), project_id: str = Form(...), file: UploadFile = File(...)):
    data = await file.read()
    if len(data) > MAX_UPLOAD_BYTES:
        return {"status": "error", "message": "file too large"}
    text = extract_text(data, file.filename or "upload")
    doc = {
        "user_id": user_id,
        "project_id": project_id,
        "filename": file.filename,
        "size": len(data),
        "text": text,
        "uploaded_at": datetime.utcnow(),
    }
    result = files_collection.insert_one(doc)
    logger.info("stored %s (%d bytes) as %s", file.filename, len(data), result.inserted_id)
    return {"status": "success", "file_id": str(result.inserted_id)}
