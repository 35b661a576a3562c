"""The national 项目支出绩效自评表 in and out: import, recheck, write.

No logic lives here; the files:

- ``notation.py``: 年度指标值 and 实际完成值 text read (``≧１２场``, ``不低于30家``) and written (``≥50个``);
- ``layout.py``: where a form sits on a sheet (its header cells, wherever it starts);
- ``read.py``: workbooks read into forms, every value with its cell, every bad cell a problem;
- ``dataset.py``: forms as dataset tables (units, projects, indicators, evaluations, published);
- ``recheck.py``: what the published forms get wrong (``jxkit recheck``);
- ``published.py``: the printed 自评得分 and 总分 as the self-evaluation of ``jxkit compare``;
- ``write.py``: a dataset's projects written as forms (``jxkit forms``).
"""
