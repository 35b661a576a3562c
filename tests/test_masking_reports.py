"""Personal data planted in any free-text column never reaches any kind of report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
from conftest import REPO

from jxkit.render.batch import render_batch
from jxkit.report.kinds import jobs_for_dataset

ID, PHONE = "330102198003151234", "13812345678"
PLANTED = f"受助职工张三丰 身份证{ID} 电话{PHONE}"


def test_planted_personal_data_is_masked_everywhere(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(REPO / "sample_data" / "demo", data)
    for name, column in (("monitoring", "reason"), ("exante", "note"), ("evaluations", "note")):
        f = data / f"{name}.csv"
        frame = pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        frame[column] = PLANTED
        frame.to_csv(f, index=False, encoding="utf-8-sig")
    jobs = [
        j
        for j in jobs_for_dataset(data, kinds=["monitoring", "exante", "project", "summary"])
        if j.kind != "project" or j.key in {"XM2021000008", "XM2021000005"}
    ]
    result = render_batch(jobs, tmp_path / "out", workers=2, progress=False)
    assert not result.failed, [r.error for r in result.failed]
    pages = [p for p in (tmp_path / "out").rglob("*.html") if p.name != "index.html"]
    assert {p.parent.name for p in pages} >= {"monitoring", "exante", "project"}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for secret in (ID, PHONE, "张三丰"):
            assert secret not in text, (page.name, secret)
