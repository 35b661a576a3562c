"""The union hierarchy: the province, industry unions, cities and counties of Zhejiang."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Zhejiang's cities (name, 4-digit area code) with their county-level districts,
#: the first of each listed first so small datasets read naturally.
CITIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("杭州市", "3301", ("西湖区", "上城区", "拱墅区", "滨江区", "萧山区", "余杭区", "临平区",
                      "钱塘区", "富阳区", "临安区", "桐庐县", "淳安县", "建德市")),
    ("宁波市", "3302", ("海曙区", "江北区", "北仑区", "镇海区", "鄞州区", "奉化区", "余姚市",
                      "慈溪市", "象山县", "宁海县")),
    ("温州市", "3303", ("鹿城区", "龙湾区", "瓯海区", "洞头区", "瑞安市", "乐清市", "龙港市",
                      "永嘉县", "平阳县", "苍南县", "文成县", "泰顺县")),
    ("嘉兴市", "3304", ("南湖区", "秀洲区", "海宁市", "平湖市", "桐乡市", "嘉善县", "海盐县")),
    ("湖州市", "3305", ("吴兴区", "南浔区", "德清县", "长兴县", "安吉县")),
    ("绍兴市", "3306", ("越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县")),
    ("金华市", "3307", ("婺城区", "金东区", "兰溪市", "义乌市", "东阳市", "永康市", "武义县",
                      "浦江县", "磐安县")),
    ("衢州市", "3308", ("柯城区", "衢江区", "江山市", "常山县", "开化县", "龙游县")),
    ("舟山市", "3309", ("定海区", "普陀区", "岱山县", "嵊泗县")),
    ("台州市", "3310", ("椒江区", "黄岩区", "路桥区", "温岭市", "临海市", "玉环市", "三门县",
                      "天台县", "仙居县")),
    ("丽水市", "3311", ("莲都区", "龙泉市", "青田县", "缙云县", "遂昌县", "松阳县", "云和县",
                      "庆元县", "景宁畲族自治县")),
)  # fmt: skip
#: Province-level industry unions (name, the scope used in their project names).
INDUSTRIES: tuple[tuple[str, str], ...] = (
    ("浙江省教育工会", "全省教育系统"),
    ("浙江省财贸金融工会", "全省财贸金融系统"),
    ("浙江省机械冶金工会", "全省机械冶金行业"),
    ("浙江省建设建材工会", "全省建设建材行业"),
    ("浙江省交通运输工会", "全省交通运输系统"),
    ("浙江省能源化学地质工会", "全省能源化学地质行业"),
    ("浙江省农林水利气象工会", "全省农林水利气象系统"),
    ("浙江省医务工会", "全省卫生健康系统"),
)
PROVINCE_ID = "330000"


def unit_hierarchy(n_projects: int) -> pd.DataFrame:
    """The union hierarchy, sized to the number of projects (no randomness needed)."""
    n_city = int(np.clip(round(n_projects / 15), 1, len(CITIES)))
    n_industry = int(np.clip(round(n_projects / 30), 1, len(INDUSTRIES)))
    cities = CITIES[:n_city]
    # round-robin over the cities so that a few counties come from different cities
    counties = [
        (f"{code}{k + 1:02d}", names[k], city, code)
        for k in range(max(len(c[2]) for c in cities))
        for city, code, names in cities
        if k < len(names)
    ]
    n_county = int(np.clip(round(n_projects / 15), 1, len(counties)))
    rows = [(PROVINCE_ID, "浙江省总工会", "province", "", "浙江省", "全省", "3301")]
    rows += [
        (f"3300{i + 1:02d}", name, "industry", PROVINCE_ID, "浙江省", scope, "3301")
        for i, (name, scope) in enumerate(INDUSTRIES[:n_industry])
    ]
    rows += [
        (f"{code}00", f"{city}总工会", "city", PROVINCE_ID, city, city, code)
        for city, code, _ in cities
    ]
    rows += [
        (uid, f"{county}总工会", "county", f"{code}00", city, county, code)
        for uid, county, city, code in counties[:n_county]
    ]
    return pd.DataFrame(
        rows, columns=["unit_id", "name", "level", "parent_id", "region", "scope", "area"]
    )
