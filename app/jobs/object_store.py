"""Put and get files at a local path or s3://, gs://, az:// URIs with the clouds' SDKs.

``az://ACCOUNT/CONTAINER/prefix`` uses ``https://ACCOUNT.blob.core.windows.net`` with
DefaultAzureCredential (managed identity in Azure), or AZURE_STORAGE_CONNECTION_STRING
when set. S3 and GCS use their SDKs' default credential chains (task role, service
account); AWS_ENDPOINT_URL_S3 is honoured by boto3.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit


class ObjectStore(Protocol):
    def put(self, local: Path, name: str) -> str: ...

    def get(self, name: str, local: Path) -> None: ...

    def read_text(self, name: str) -> str | None: ...

    def write_text(self, name: str, text: str) -> None: ...


def _join(prefix: str, name: str) -> str:
    prefix = prefix.strip("/")
    return f"{prefix}/{name}" if prefix else name


@dataclass
class LocalDirectory:
    root: Path

    def put(self, local: Path, name: str) -> str:
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(local, target)
        return str(target)

    def get(self, name: str, local: Path) -> None:
        shutil.copyfile(self.root / name, local)

    def read_text(self, name: str) -> str | None:
        path = self.root / name
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def write_text(self, name: str, text: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / name).write_text(text, encoding="utf-8")


@dataclass
class S3Prefix:
    bucket: str
    prefix: str

    def _client(self) -> Any:
        import boto3

        return boto3.client("s3")

    def put(self, local: Path, name: str) -> str:
        key = _join(self.prefix, name)
        self._client().upload_file(
            str(local), self.bucket, key, ExtraArgs={"ServerSideEncryption": "AES256"}
        )
        return f"s3://{self.bucket}/{key}"

    def get(self, name: str, local: Path) -> None:
        self._client().download_file(self.bucket, _join(self.prefix, name), str(local))

    def read_text(self, name: str) -> str | None:
        from botocore.exceptions import ClientError

        try:
            body = self._client().get_object(Bucket=self.bucket, Key=_join(self.prefix, name))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return str(body["Body"].read().decode("utf-8"))

    def write_text(self, name: str, text: str) -> None:
        self._client().put_object(
            Bucket=self.bucket,
            Key=_join(self.prefix, name),
            Body=text.encode("utf-8"),
            ServerSideEncryption="AES256",
        )


@dataclass
class GcsPrefix:
    bucket: str
    prefix: str

    def _bucket(self) -> Any:
        from google.cloud import storage

        return storage.Client().bucket(self.bucket)

    def put(self, local: Path, name: str) -> str:
        key = _join(self.prefix, name)
        self._bucket().blob(key).upload_from_filename(str(local))
        return f"gs://{self.bucket}/{key}"

    def get(self, name: str, local: Path) -> None:
        self._bucket().blob(_join(self.prefix, name)).download_to_filename(str(local))

    def read_text(self, name: str) -> str | None:
        blob = self._bucket().blob(_join(self.prefix, name))
        return str(blob.download_as_text()) if blob.exists() else None

    def write_text(self, name: str, text: str) -> None:
        self._bucket().blob(_join(self.prefix, name)).upload_from_string(text)


@dataclass
class AzurePrefix:
    account: str
    container: str
    prefix: str

    def _container(self) -> Any:
        from azure.storage.blob import BlobServiceClient

        connection = os.environ.get("AZURE_STORAGE_CONNECTION_STRING")
        if connection:
            service = BlobServiceClient.from_connection_string(connection)
        else:
            from azure.identity import DefaultAzureCredential

            service = BlobServiceClient(
                f"https://{self.account}.blob.core.windows.net",
                credential=DefaultAzureCredential(),
            )
        return service.get_container_client(self.container)

    def put(self, local: Path, name: str) -> str:
        key = _join(self.prefix, name)
        with local.open("rb") as data:
            self._container().upload_blob(key, data, overwrite=True)
        return f"az://{self.account}/{self.container}/{key}"

    def get(self, name: str, local: Path) -> None:
        stream = self._container().download_blob(_join(self.prefix, name))
        with local.open("wb") as out:
            stream.readinto(out)

    def read_text(self, name: str) -> str | None:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            stream = self._container().download_blob(_join(self.prefix, name))
        except ResourceNotFoundError:
            return None
        return str(stream.readall().decode("utf-8"))

    def write_text(self, name: str, text: str) -> None:
        self._container().upload_blob(_join(self.prefix, name), text.encode(), overwrite=True)


def split_object(uri: str) -> tuple[str, str]:
    """``scheme://.../prefix/name.ext`` -> (``scheme://.../prefix``, ``name.ext``)."""
    head, _, name = uri.rstrip("/").rpartition("/")
    return head, name


def open_store(uri: str) -> ObjectStore:
    """The object store for a local directory or an s3://, gs:// or az:// prefix."""
    parts = urlsplit(uri)
    path = parts.path.lstrip("/")
    if parts.scheme == "s3":
        return S3Prefix(parts.netloc, path)
    if parts.scheme == "gs":
        return GcsPrefix(parts.netloc, path)
    if parts.scheme == "az":
        container, _, prefix = path.partition("/")
        if not parts.netloc or not container:
            raise ValueError("az:// URIs look like az://ACCOUNT/CONTAINER/prefix")
        return AzurePrefix(parts.netloc, container, prefix)
    if parts.scheme in ("", "file"):
        return LocalDirectory(Path(parts.path if parts.scheme == "file" else uri))
    raise ValueError(f"unsupported backup URI scheme {parts.scheme!r} (use a path, s3, gs, az)")
