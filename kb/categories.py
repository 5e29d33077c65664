"""The article categories, declared once: id, Japanese label, order and a one-line description."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    label: str
    description: str


CATEGORIES: tuple[Category, ...] = (
    Category(
        "overview", "制度の概要", "医療扶助のオンライン資格確認とは何か、運用開始、紙の券の扱い"
    ),
    Category("display", "画面表示", "資格確認の画面に何が表示されるか、表示されないとき"),
    Category("forms", "要否意見書", "要否意見書などの書類の扱い"),
    Category("home-care", "訪問診療等", "訪問診療・訪問看護・オンライン診療での利用"),
    Category("setup", "導入準備", "見積りから運用テスト、設定変更、費用まで"),
    Category("subsidy", "助成金", "助成金（補助金）の申請期間・対象・書類・申請方法"),
    Category("contact", "お問い合わせ", "コールセンター、お問い合わせフォーム、照会先"),
)

CATEGORY_BY_ID: dict[str, Category] = {category.id: category for category in CATEGORIES}


def category_label(category_id: str) -> str:
    category = CATEGORY_BY_ID.get(category_id)
    return category.label if category else category_id
