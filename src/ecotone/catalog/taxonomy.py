"""The two-level sector taxonomy shipped with Ecotone.

Each entry is ``(slug, name_en, name_zh, children)``; children use the same shape
without a fourth element. The award categories of Shenzhen's Top Ten Green and
Low-Carbon Cases 2023 appear as second-level sectors so that the award cases can
be filed exactly where the award put them.
"""

SECTOR_TREE: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    (
        "energy",
        "Energy",
        "能源",
        [
            ("solar-power", "Solar power", "太阳能发电"),
            ("wind-power", "Wind power", "风力发电"),
            ("hydropower", "Hydropower", "水力发电"),
            ("nuclear-power", "Nuclear power", "核能发电"),
            ("bioenergy", "Bioenergy", "生物质能"),
            ("geothermal", "Geothermal energy", "地热能"),
            ("hydrogen", "Hydrogen", "氢能"),
            ("energy-storage", "Energy storage", "储能"),
            ("power-grids", "Power grids and smart grids", "电网与智能电网"),
            (
                "energy-conservation",
                "Energy conservation and environmental protection",
                "节能环保",
            ),
        ],
    ),
    (
        "industry",
        "Industry",
        "工业",
        [
            ("smart-manufacturing", "Smart manufacturing", "智能制造"),
            ("industrial-parks", "Industrial park management", "产业园区管理"),
            ("heavy-industry", "Steel, cement and chemicals", "钢铁、水泥与化工"),
            ("circular-economy", "Circular economy and materials", "循环经济与材料"),
        ],
    ),
    (
        "buildings",
        "Buildings",
        "建筑",
        [
            ("green-building", "Green building", "绿色建筑"),
            ("smart-homes", "Smart homes", "智能家居"),
            ("heating-cooling", "Heating and cooling", "供热与制冷"),
        ],
    ),
    (
        "transport",
        "Transport",
        "交通",
        [
            ("low-carbon-transportation", "Low-carbon transportation", "低碳交通"),
            ("electric-vehicles", "Electric vehicles and charging", "电动汽车与充电"),
            ("public-transit", "Public transit", "公共交通"),
            ("modern-logistics", "Modern logistics", "现代物流"),
            ("aviation-shipping", "Aviation and shipping", "航空与航运"),
        ],
    ),
    (
        "food-land",
        "Food and land",
        "食物与土地利用",
        [
            ("agriculture", "Agriculture", "农业"),
            ("forestry", "Forests and land use", "森林与土地利用"),
            ("food-systems", "Food systems", "食物系统"),
        ],
    ),
    (
        "carbon-removal",
        "Carbon removal and CCUS",
        "碳移除与碳捕集利用与封存",
        [
            ("ccus", "Carbon capture, utilisation and storage", "碳捕集、利用与封存"),
            ("direct-air-capture", "Direct air capture", "直接空气捕集"),
            ("nature-based-removal", "Nature-based carbon removal", "基于自然的碳移除"),
        ],
    ),
    (
        "carbon-management",
        "Carbon markets and management",
        "碳市场与碳管理",
        [
            ("carbon-accounting", "Carbon accounting and MRV", "碳核算与监测报告核查"),
            ("carbon-markets", "Carbon markets and pricing", "碳市场与碳定价"),
            ("climate-finance", "Climate finance", "气候金融"),
            ("climate-policy", "Climate policy and governance", "气候政策与治理"),
        ],
    ),
    (
        "climate-data",
        "Climate science and data",
        "气候科学与数据",
        [
            ("climate-modelling", "Climate modelling", "气候模拟"),
            ("earth-observation", "Earth observation", "对地观测"),
            ("emissions-data", "Emissions data and tracking", "排放数据与追踪"),
        ],
    ),
    (
        "water-waste",
        "Water and waste",
        "水与废弃物",
        [
            ("waste-management", "Waste management and recycling", "废弃物管理与回收"),
            ("water", "Water", "水资源"),
        ],
    ),
    (
        "adaptation",
        "Climate adaptation and resilience",
        "气候适应与韧性",
        [
            ("climate-risk", "Climate risk and resilience", "气候风险与韧性"),
            ("biodiversity", "Biodiversity and ecosystems", "生物多样性与生态系统"),
        ],
    ),
]


def seed_sectors(sector_model) -> int:
    """Create or update the shipped sectors; returns how many exist afterwards.

    Takes the model as an argument so that data migrations can pass their
    historical model.
    """
    position = 0
    for slug, name_en, name_zh, children in SECTOR_TREE:
        position += 1
        parent, _ = sector_model.objects.update_or_create(
            slug=slug,
            defaults={"name_en": name_en, "name_zh": name_zh, "parent": None, "position": position},
        )
        for child_slug, child_en, child_zh in children:
            position += 1
            sector_model.objects.update_or_create(
                slug=child_slug,
                defaults={
                    "name_en": child_en,
                    "name_zh": child_zh,
                    "parent": parent,
                    "position": position,
                },
            )
    return sector_model.objects.count()
