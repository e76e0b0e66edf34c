"""A committee's programme outline, what each section answers, and the report "Dette hørte vi – dette gjorde vi"."""
import json

from sqlalchemy import func, select

from canvass.extensions import db
from canvass.insight.suppress import OTHER
from canvass.models import Committee, Conversation, ProgrammeSection, Report, SectionLink, Theme, ThemeMember
from canvass.refusal import N_
from canvass.services.committee import committees
from canvass.services.committee.committee_input import NOT_A_THEME, InputError, in_scope, theme_for


def sections(committee: Committee) -> list[ProgrammeSection]:
    return list(db.session.scalars(select(ProgrammeSection).where(ProgrammeSection.committee_id == committee.id)
                                   .order_by(ProgrammeSection.position, ProgrammeSection.id)))


def section_for(committee: Committee, section_id: int) -> ProgrammeSection | None:
    section = db.session.get(ProgrammeSection, section_id)
    return section if section is not None and section.committee_id == committee.id else None


def checked(title: str, answer: str) -> tuple[str, str]:
    title, answer = title.strip(), answer.strip()
    if not title or len(title) > 200:
        raise InputError(N_("Overskriften må ha mellom 1 og 200 tegn."))
    if len(answer) > 10000:
        raise InputError(N_("Teksten kan ha høyst 10 000 tegn."))
    return title, answer


def add_section(committee: Committee, title: str, answer: str = "") -> ProgrammeSection:
    title, answer = checked(title, answer)
    last = db.session.scalar(select(func.max(ProgrammeSection.position))
                             .where(ProgrammeSection.committee_id == committee.id))
    section = ProgrammeSection(committee_id=committee.id, title=title, answer=answer, position=(last or 0) + 1)
    db.session.add(section)
    db.session.commit()
    return section


def update_section(section: ProgrammeSection, title: str, answer: str) -> None:
    section.title, section.answer = checked(title, answer)
    db.session.commit()


def delete_section(section: ProgrammeSection) -> None:
    db.session.delete(section)
    db.session.commit()


def link_theme(committee: Committee, section: ProgrammeSection, theme_id: int) -> None:
    theme = theme_for(committee, theme_id)
    if theme is None:
        raise InputError(N_("Fant ikke temaet."))
    if theme.unsure:
        raise InputError(NOT_A_THEME)
    if not any(link.theme_id == theme.id for link in section.links):
        section.links.append(SectionLink(theme_id=theme.id))
    db.session.commit()


def link_input(committee: Committee, section: ProgrammeSection, conversation_id: int) -> None:
    if not in_scope(committee, conversation_id):
        raise InputError(N_("Fant ikke innspillet."))
    if not any(link.conversation_id == conversation_id for link in section.links):
        section.links.append(SectionLink(conversation_id=conversation_id))
    db.session.commit()


def unlink(section: ProgrammeSection, link_id: int) -> None:
    for link in section.links:
        if link.id == link_id:
            section.links.remove(link)
    db.session.commit()


def theme_sizes(committee: Committee) -> dict[int, int]:
    """How much input each theme holds that the committee may read: members in cells under k are not counted."""
    sizes: dict[int, int] = {}
    for topic in db.session.scalars(select(Theme.topic).where(Theme.committee_id == committee.id).distinct()):
        sizes.update(
            db.session.execute(
                select(ThemeMember.theme_id, func.count())
                .join(Conversation, Conversation.id == ThemeMember.conversation_id)
                .where(
                    ThemeMember.committee_id == committee.id,
                    ThemeMember.topic == topic,
                    *committees.conditions(committee, committees.Filters(), Conversation),
                    committees.visible_atom(committee, topic),
                )
                .group_by(ThemeMember.theme_id)
            ).all()
        )
    return sizes


def unanswered(committee: Committee, sizes: dict[int, int] | None = None) -> list[tuple[Theme, int]]:
    """Themes raised by at least k residents that no section answers yet, the biggest first."""
    sizes = theme_sizes(committee) if sizes is None else sizes
    linked = (
        select(SectionLink.theme_id)
        .join(ProgrammeSection)
        .where(ProgrammeSection.committee_id == committee.id, SectionLink.theme_id.is_not(None))
    )
    open_themes = db.session.scalars(
        select(Theme).where(Theme.committee_id == committee.id, Theme.id.not_in(linked), Theme.unsure.is_(False))
    ).all()
    frequent = [(t, sizes.get(t.id, 0)) for t in open_themes if sizes.get(t.id, 0) >= committee.k]
    return sorted(frequent, key=lambda pair: (-pair[1], pair[0].label))


def unnamed(committee: Committee) -> list[Theme]:
    """Themes whose label is still the clustering's proposal: left out of what members read."""
    return list(db.session.scalars(select(Theme).where(Theme.committee_id == committee.id, Theme.named.is_(False),
                                                       Theme.unsure.is_(False))
                                   .order_by(Theme.topic, Theme.label)))


def report_content(committee: Committee) -> dict:
    """What a published report holds: the topics heard (small groups suppressed) and each section's answer.

    Only themes a person has named are in it: a proposed label such as "år, utleier, husleia" is not
    what a committee tells its members it heard.
    """
    board = committees.dashboard(committee, committees.Filters())
    sizes = theme_sizes(committee)

    def size(theme_id):
        n = sizes.get(theme_id, 0)
        return n if n >= committee.k else None

    return {
        "total": board.total,
        "k": committee.k,
        "topics": [
            {"topic": r.topic, "residents": r.residents, "share": r.share, "other": r.topic == OTHER}
            for r in board.ranking
        ],
        "sections": [
            {
                "title": s.title,
                "answer": s.answer,
                "themes": [
                    {"label": link.theme.label, "topic": link.theme.topic, "residents": size(link.theme.id)}
                    for link in s.links
                    if link.theme is not None and link.theme.named
                ],
            }
            for s in sections(committee)
        ],
        "unanswered": [{"label": t.label, "topic": t.topic, "residents": n} for t, n in unanswered(committee, sizes)
                       if t.named],
    }


def publish(committee: Committee, title: str, intro: str) -> Report:
    title, intro = checked(title, intro)
    report = Report(
        committee_id=committee.id,
        title=title,
        intro=intro,
        content=json.dumps(report_content(committee), ensure_ascii=False),
    )
    db.session.add(report)
    db.session.commit()
    return report


def published(organisation_id: int) -> list[Report]:
    """Reports members of the organisation can read, newest first."""
    return list(
        db.session.scalars(
            select(Report)
            .join(Committee)
            .where(Committee.organisation_id == organisation_id)
            .order_by(Report.published_at.desc())
        )
    )
