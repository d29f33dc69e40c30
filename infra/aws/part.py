"""The AWS flavour of a stack part."""

from __future__ import annotations

from infra.common.component import Part


class AwsPart(Part):
    cloud = "aws"
