"""Personal rewrites: the same ask, made personal, honest, and in the user's own words.

A rewrite is assembled by a jinja2 template (one per kind; teams may override any of them)
from `Facts` — sentences of the draft kept verbatim, plus what the user supplied.  A fact the
draft does not give becomes a visible `[prompt]`, never an invention.  Every rewrite is then
checked by the engine itself, and its facts are compared with the draft's: a link, number or
name that went missing is reported (`set_aside`).  That nothing appears from nowhere is the
templates' contract, checked by the tests and `evals/rewrite.py` with `rapport.bot.rewriter.honesty.inventions`.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapport.bot.engine.engine import Engine, Judgement
from rapport.bot.engine.lexicon import greeting_words
from rapport.bot.engine.markup import is_broadcast, mask_markup
from rapport.bot.engine.signals import Signals
from rapport.bot.models import Context, Finding, Kind, MissingFact, Report, Rewrite
from rapport.bot.resources import templates_dir
from rapport.bot.rewriter.facts import (
    FACT_FIELDS,
    KIN_WORDS,
    Facts,
    Removed,
    answers_as_facts,
    as_phrase,
    as_sentence,
    exempt,
    extract_facts,
    salutation_spans,
)
from rapport.bot.rewriter.honesty import PROMPT, fact_tokens, missing_from
from rapport.bot.rewriter.second_person import ABOUT_THEM, SPOKEN_TO_THEM, second_person

if TYPE_CHECKING:
    import jinja2

__all__ = ["EXCUSED_BY", "Rewriter", "TemplateProblem"]

#: A finding the self-check may still raise while the fact that would fix it is a [prompt].
EXCUSED_BY: dict[str, frozenset[str]] = {
    "cold-ask": frozenset({"relationship"}),
    "impersonal": frozenset({"recipient", "relationship", "specific", "details"}),
    "vague-praise": frozenset({"specific"}),
    "ask-before-give": frozenset({"given", "specific"}),
    "hollow-endorsement": frozenset({"relationship", "specific"}),
    "self-centered": frozenset({"relationship", "details"}),
}
_TEMPLATE_FOR: dict[Kind, str] = {
    Kind.ENDORSEMENT_REQUEST: "endorsement_request",
    Kind.REFERRAL_REQUEST: "referral_request",
    Kind.CONNECTION_REQUEST: "connection_request",
    Kind.ENDORSEMENT: "endorsement",
    Kind.RECIPROCATION: "reciprocation",
    Kind.PROMOTION: "promotion",
}
TEMPLATE_NAMES: tuple[str, ...] = (*_TEMPLATE_FOR.values(), "decline")
_REPAIRABLE = frozenset(
    {"vague-praise", "pressure", "curt", "blast", "engagement-bait", "quid-pro-quo",
     "hollow-endorsement"}
)  # fmt: skip
_OWN_WORDS = ("from", "your", "draft")  # the "(From your draft: …)" line
_WORDS = re.compile(r"[A-Za-z']+")
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")
_INNER_SPACES = re.compile(r"(?<=\S)[ \t]{2,}(?=\S)")
_TRAILING_SPACES = re.compile(r"[ \t]+(?=\n|\Z)")


class TemplateProblem(Exception):
    """A team's template failed to load or render; `where` names the file and line."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


@dataclass(frozen=True, slots=True)
class _Flags:
    """What the draft's findings tell the templates: hollow praise, a missing give-first."""

    hollow: bool
    give_first: bool
    language: str | None = None  # the draft's, when known: the self-check needn't identify it


@dataclass(frozen=True, slots=True)
class _Rendered:
    text: str
    missing: tuple[MissingFact, ...]
    problem: str | None


def _environment(folders: list[Path]) -> jinja2.Environment:
    import jinja2  # imported on first rewrite: plain checks never pay for it

    return jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(f)) for f in folders]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        auto_reload=False,
    )


def _where(exc: BaseException, default: str) -> str:
    """The template file and line an error came from (jinja2 puts them in the traceback)."""
    filename = getattr(exc, "filename", None)
    lineno = getattr(exc, "lineno", None)
    if filename and lineno:
        return f"{filename}, line {lineno}"
    tb = exc.__traceback__
    found = default
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith((".j2", ".jinja", ".jinja2", ".txt")):
            found = f"{name}, line {tb.tb_lineno}"
        tb = tb.tb_next
    return found


def _tidy(text: str) -> str:
    """Blank lines collapsed, stray spaces gone: templates can stay readable."""
    text = _TRAILING_SPACES.sub("", text)
    text = _INNER_SPACES.sub(" ", text)
    text = _BLANK_LINES.sub(lambda m: "\n\n" if m.group(0).count("\n") > 1 else "\n", text)
    lines = [line.strip() for line in text.strip().split("\n")]
    return "\n".join(lines)


def _no_crowd_pings(text: str) -> str:
    """Take out any @here/@channel/@everyone or group ping a template let through."""
    if "@" not in text and "<!" not in text:
        return text
    _, entities = mask_markup(text)
    for e in reversed([e for e in entities if is_broadcast(e)]):
        text = text[: e.start] + text[e.end :].lstrip(" ,")
    return text


#: Titles that make a greeting formal: "Dr. Anna Weiss" is greeted "Dear Dr. Weiss,".
_TITLES = frozenset(
    {"dr", "prof", "professor", "mr", "mrs", "ms", "mx", "miss", "sir", "madam", "dame", "rev"}
)
#: Words that greet a crowd, not a person: a one-to-one rewrite asks for their name instead.
_GROUP_WORDS = frozenset(
    {"friends", "everyone", "everybody", "all", "team", "folks", "guys", "network", "people",
     "connections", "fam", "y'all", "yall", "there", "you", "all of you"}
)  # fmt: skip


def _address(recipient: str | None) -> tuple[str | None, bool]:
    """How the rewrite greets them, and whether formally: a first name ("Maya Chen, my old
    manager" → "Maya"), a title and surname ("Dr. Anna Weiss" → "Dr. Weiss"), a mention as
    typed; None for a crowd ("Friends") or a bare title ("Ms"), which leaves the name to ask."""
    if not recipient or recipient.startswith(("<", "@")):
        return recipient, False
    head = re.split(r",|\s[-–—]\s|\(|:", recipient, maxsplit=1)[0].strip()
    words = head.split()
    if not words or head.lower() in _GROUP_WORDS or words[0].lower() in _GROUP_WORDS:
        return None, False
    if re.fullmatch(greeting_words(), words[0], re.I):
        return None, False  # "Hi there" is a greeting, not a name
    if words[0].lower().rstrip(".") in _TITLES:
        return (f"{words[0]} {words[-1]}", True) if len(words) > 1 else (None, False)
    if words[0].lower() in KIN_WORDS and len(words) > 1:  # "Uncle Kenji": how family is greeted
        return f"{words[0].capitalize()} {_cased(words[1])}", False
    return _cased(words[0]), False


def _cased(name: str) -> str:
    """A name as a greeting writes it: "maya" → "Maya", "MATEO" → "Mateo"."""
    if name.islower() or (name.isupper() and len(name) > 2):
        return name[:1].upper() + name[1:].lower()
    return name


#: Deadlines that already say when ("this week", "tomorrow"): "before this week" reads wrong.
_RELATIVE_WHEN = re.compile(
    r"(?i)^(?:this|next|today|tonight|tomorrow|the weekend|end of|the end of|eod|eow)\b"
)


def _when(deadline: str) -> str:
    """The deadline as the easy out says it: "before Friday", "this week", "by the end of the
    month" — in lower case unless it is a name ("THIS WEEK" is not shouted back)."""
    words = deadline.strip()
    if words.isupper():
        words = words.lower()
    if _RELATIVE_WHEN.match(words):
        if words.lower().startswith("end of"):
            return f"by the {words}"
        return f"by {words}" if words.lower().startswith("the end of") else words
    return f"before {words}"


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


class Rewriter:
    """Turns a checked draft into a personal rewrite; templates are compiled once per rewriter."""

    def __init__(self, engine: Engine | None = None, templates: Path | None = None) -> None:
        self.engine = engine or Engine.default()
        self.team_folder = templates if templates is not None else self.engine.config.templates
        self._builtin_folder = templates_dir() / "rewrite"
        self._env: jinja2.Environment | None = None
        self._builtin_env: jinja2.Environment | None = None
        self._changes: dict[str, str] | None = None

    # -- public API --------------------------------------------------------------------------
    def check(
        self, text: str, context: Context | None = None, supplied: Mapping[str, str] | None = None
    ) -> Report:
        """Check a draft and attach a rewrite (or a note saying why there is none)."""
        report, signals = self.engine.analyse(text, context)
        return replace(report, rewrite=self.rewrite(report, signals, supplied))

    async def check_async(
        self, text: str, context: Context | None = None, supplied: Mapping[str, str] | None = None
    ) -> Report:
        """`check` for the bots' event loops (the work never blocks on I/O)."""
        return self.check(text, context, supplied)

    def rewrite(
        self, report: Report, signals: Signals, supplied: Mapping[str, str] | None = None
    ) -> Rewrite:
        """The rewrite for one checked draft."""
        if report.kind is Kind.OTHER:
            if report.findings:  # no template to rewrite it with: say what to do instead
                first = min(report.findings, key=lambda f: (f.severity.rank, f.start))
                note = f"What to do instead: {first.fix}"
                if len({f.rule for f in report.findings}) > 1:
                    note += " (The other findings above say what else to change.)"
            else:
                note = (
                    "This doesn't read as outreach (an ask, an endorsement, a connection "
                    "request or a message to many), so there is nothing to rewrite."
                )
            return Rewrite(text=None, note=note)
        if not report.findings:
            return Rewrite(
                text=report.text,
                note="Nothing to change: this already reads as personal and honest.",
                unchanged=True,
                trust=report.trust,
            )
        if _hollow_towards_them(report):
            return Rewrite(
                text=None,
                note="You say you don't know their work, so this endorsement would be hollow: "
                "the honest move is not to send it (and to withdraw one already given). If "
                "you'd like to know them, start with a conversation about their work instead.",
                changes=(self._changes_table().get("hollow-endorsement", ""),),
            )
        if _admits_cold_ask(report, signals, supplied):
            return Rewrite(
                text=None,
                note="You say they don't know you yet, so they can't honestly vouch for you, "
                "however the ask is worded. The honest path is to get to know them first: "
                "reply to their work, help with something they care about, or ask a mutual "
                "contact who knows you both. Ask once they could speak to your work first-hand.",
            )
        # Pressure the rule's own words name is left out even where the reader let it pass.
        unflagged = [
            (start, end, "pressure")
            for start, end in self.engine.phrase_spans("pressure", report, signals, _URGENT)
            if not any(f.start <= start < f.end for f in report.findings)
            and not _ONLY_WHEN.search(report.text[start:end])
        ]
        facts = extract_facts(report, signals, supplied, unflagged)
        for sentence in self._pressing(facts):  # pressure the reader hears in a line on its own
            facts.leave_out(sentence, "pressure")
        name = self._template_name(report, facts, signals)
        if name == "decline":  # the praise it would have carried is what we decline to give
            for role in ("warm", "thanks", "recommend", "details", "reason", "given", "asks"):
                facts.removed.extend(
                    Removed(("hollow-endorsement",), t) for t in getattr(facts, role)
                )
                setattr(facts, role, [])
        rules = {f.rule for f in report.findings}
        # Give first where the engine says it's missing, and in any ask between peers for an
        # endorsement (even when a blast or a cold ask hid the rule).
        give_first = "ask-before-give" in rules or (
            report.kind is Kind.ENDORSEMENT_REQUEST and _peer_ask(facts)
        )
        flags = _Flags(
            hollow="hollow-endorsement" in rules, give_first=give_first, language=report.language
        )
        current = self._assemble(name, facts, flags, signals.context)
        facts, (rendered, text, checked) = self._repair(
            name, facts, flags, signals.context, current
        )
        kept = self.facts_to_keep(report, signals)
        lost = missing_from(text, kept)
        not_in_removed = set(missing_from(" ".join(r.text for r in facts.removed), lost))
        set_aside = tuple(t for t in lost if t not in not_in_removed)
        unplaced = [t for t in lost if t in not_in_removed]
        if unplaced:  # never drop a link, number or name silently
            text += "\n\n(From your draft: " + ", ".join(unplaced) + ")"
            checked = self.engine.judge(
                _blank_prompts(text),
                signals.context,
                None if name == "decline" else report.kind,
                language=report.language,
            )
        missing_fields = {m.field for m in rendered.missing}
        remaining = checked.findings
        unexcused = [
            f for f in remaining if not (EXCUSED_BY.get(f.rule, frozenset()) & missing_fields)
        ]
        note = self._note(rendered.missing, unexcused, name)
        return Rewrite(
            text=text,
            note=note,
            template=name,
            missing=rendered.missing,
            changes=self._change_list(report, facts, name),
            removed=tuple((r.rules, _defuse(r.text)) for r in facts.removed),
            set_aside=set_aside,
            trust=checked.trust,
            findings=remaining,
            template_error=rendered.problem,
        )

    def compose(
        self,
        kind: Kind,
        supplied: Mapping[str, str],
        context: Context | None = None,
        decline: bool = False,
        skipped: Collection[str] = (),
    ) -> Rewrite:
        """A message built from the user's answers alone (the coach, before any draft exists).

        The same templates, prompts and self-check as a rewrite: whatever the answers don't
        cover stays a visible [prompt] and is listed in `missing`.
        """
        if kind is Kind.OTHER:
            raise ValueError("compose needs an outreach kind")
        context = context or Context(recipient=supplied.get("recipient"))
        facts = answers_as_facts(kind, supplied)
        name = "decline" if decline else _TEMPLATE_FOR[kind]
        flags = _Flags(
            hollow=False,
            give_first=kind is Kind.ENDORSEMENT_REQUEST
            and not facts.given
            and context.endorsements_given == 0,
        )
        rendered, text, checked = self._assemble(name, facts, flags, context, set(skipped))
        unexcused = _unexcused(checked, {m.field for m in rendered.missing})
        return Rewrite(
            text=text,
            note=self._note(rendered.missing, unexcused, name),
            template=name,
            missing=rendered.missing,
            trust=checked.trust,
            findings=checked.findings,
            template_error=rendered.problem,
        )

    def _repair(
        self,
        name: str,
        facts: Facts,
        flags: _Flags,
        context: Context,
        current: tuple[_Rendered, str, Judgement],
    ) -> tuple[Facts, tuple[_Rendered, str, Judgement]]:
        """One repair pass, checked once: if the self-check flags words the user wrote (praise,
        pressure…), those sentences go (their clauses with facts stay); if it still reads as
        self-centred, so do the sender's wants.  The repair is kept only if it helps."""
        rendered, text, checked = current
        flagged = _unexcused(checked, {m.field for m in rendered.missing})
        own = self._own_sentences_at(facts, text, flagged)
        wants = bool(facts.about_me) and _self_centred(checked)
        if not own and not wants:
            return facts, current
        trial = copy.deepcopy(facts)
        for finding, sentence, at in own:
            trial.leave_out(sentence, finding.rule, (finding.start, finding.end), at)
        while wants and trial.about_me:
            trial.leave_out(trial.about_me.pop(0), "self-centered")
        attempt = self._assemble(name, trial, flags, context)
        after = _unexcused(attempt[2], {m.field for m in attempt[0].missing})
        if len(after) < len(flagged):
            return trial, attempt
        return facts, current

    @staticmethod
    def _own_sentences_at(
        facts: Facts, text: str, flagged: list[Finding]
    ) -> list[tuple[Finding, str, int]]:
        """Flagged findings that lie in a sentence of the user's, with that sentence."""
        out: dict[str, tuple[Finding, str, int]] = {}
        for finding in flagged:
            if finding.rule not in _REPAIRABLE:
                continue
            for sentence in facts.sentences():
                at = text.find(sentence)
                if at < 0 or not (at <= finding.start < at + len(sentence)):
                    continue
                if sentence not in out and not exempt(sentence, finding.rule):
                    out[sentence] = (finding, sentence, at)
        return list(out.values())

    # -- pieces ------------------------------------------------------------------------------
    def _assemble(
        self,
        name: str,
        facts: Facts,
        flags: _Flags,
        context: Context,
        skipped: set[str] | None = None,
    ) -> tuple[_Rendered, str, Judgement]:
        """Render one template over the facts, tidy it, and check it with prompts blanked, as the
        same kind of message as the draft (a decline is a different message: it is classified)."""
        kind = None if name == "decline" else facts.kind
        variables = self._variables(facts)
        variables["hollow"] = flags.hollow
        variables["give_first"] = flags.give_first
        variables["skipped"] = skipped or set()  # optional facts the user chose to leave out
        rendered = self._render(name, variables)
        text = _no_crowd_pings(_tidy(rendered.text))
        checked = self.engine.judge(_blank_prompts(text), context, kind, language=flags.language)
        return rendered, text, checked

    def _pressing(self, facts: Facts) -> list[str]:
        """Kept lines (not the ask, the shared history or the thanks) that the reader, reading
        each alone, is nearly sure press the recipient ("Please don't ignore this, it takes 2
        minutes!!", "Not next week, today."): the draft as a whole may pass on pressure while
        one line of it doesn't, and a rewrite that keeps it contradicts its own easy out."""
        lines = [t for role in _PRESS_ROLES for t in getattr(facts, role)]
        model = self.engine.model
        if not lines or "pressure" not in model.rules:
            return []
        column = model.rule_column("pressure")
        even = [1.0 / len(model.kinds)] * len(model.kinds)
        return [
            t
            for t, row in zip(lines, model.scores_many(lines), strict=True)
            if model.rule_probability("pressure", row[column], even) >= _PRESSING
        ]

    @staticmethod
    def _template_name(report: Report, facts: Facts, signals: Signals) -> str:
        hollow = any(f.rule == "hollow-endorsement" for f in report.findings)
        admits = signals.has("no_firsthand") or signals.has("no_firsthand_admission")
        first_hand = bool(facts.relationship or facts.specific) and not admits
        if hollow and not first_hand and report.kind is Kind.ENDORSEMENT:
            return "decline"
        return _TEMPLATE_FOR[report.kind]

    def _variables(self, facts: Facts) -> dict[str, Any]:
        recipient, formal = _address(facts.recipient)
        plain = recipient if recipient and not recipient.startswith(("<", "@")) else None
        sentence_text = " ".join(facts.sentences())
        endorsee = facts.endorsee
        endorsee_plain = endorsee if endorsee and not endorsee.startswith(("<", "@")) else None
        return {
            "f": facts,
            "addressed": facts.addressed or facts.kind is not Kind.ENDORSEMENT,
            "recipient": recipient,
            "formal": formal,
            "when": _when,
            "them": plain or "them",
            "theirs": _possessive(plain) if plain else "theirs",
            "sender": facts.sender,
            "ask": facts.ask,
            "ask_phrase": facts.ask.phrase if facts.ask else None,
            "extra_links": [link for link in facts.links if link not in sentence_text],
            "dropped_bait": facts.dropped_bait,
            "endorsee": endorsee,  # as typed (a mention stays a mention in the text)
            "endorsee_plain": endorsee_plain,  # for prompts: a name, never a ping
            "endorsee_possessive": _possessive(endorsee_plain) if endorsee_plain else None,
        }

    def _render(self, name: str, variables: dict[str, Any]) -> _Rendered:
        problem = None
        if self.team_folder is not None:
            try:
                return self._render_with(self._team_env(), name, variables, problem)
            except TemplateProblem as exc:
                if exc.where == f"{name}.j2":  # no position from jinja2: name the team's file
                    exc.where = str(Path(self.team_folder) / exc.where)
                problem = (
                    f"your team's template {exc.where} has a problem ({exc.message}); "
                    "rapport used its built-in template instead"
                )
        return self._render_with(self._builtin(), name, variables, problem)

    def _render_with(
        self, env: jinja2.Environment, name: str, variables: dict[str, Any], problem: str | None
    ) -> _Rendered:
        import jinja2

        missing: dict[str, MissingFact] = {}
        facts: Facts = variables["f"]
        supplied = facts.supplied

        def need(field: str, prompt: str, shape: str = "sentence", answered: bool = True) -> str:
            # answered=False: the user's answer can't stand here as typed (a crowd as a name)
            if field not in FACT_FIELDS:
                raise jinja2.TemplateRuntimeError(
                    f"need() got unknown fact {field!r}; facts are {', '.join(FACT_FIELDS)}"
                )
            if answered and supplied.get(field):
                value = supplied[field]
                if field in ABOUT_THEM and facts.kind in SPOKEN_TO_THEM:
                    value = second_person(value, facts.recipient)
                return as_phrase(value) if shape == "phrase" else as_sentence(value)
            prompt = _defuse(prompt)
            missing.setdefault(field, MissingFact(field, prompt, shape))
            return f"[{prompt}]"

        file_name = f"{name}.j2"
        try:
            template = env.get_template(file_name)
            text = template.render(need=need, **variables)
        except jinja2.TemplateError as exc:
            where = _where(exc, file_name)
            raise TemplateProblem(where, getattr(exc, "message", None) or str(exc)) from None
        except Exception as exc:  # a team template can fail in any way jinja2 allows
            raise TemplateProblem(_where(exc, file_name), f"{type(exc).__name__}: {exc}") from None
        return _Rendered(text, tuple(missing.values()), problem)

    def _team_env(self) -> jinja2.Environment:
        if self._env is None:
            assert self.team_folder is not None
            self._env = _environment([self.team_folder, self._builtin_folder])
        return self._env

    def _builtin(self) -> jinja2.Environment:
        if self._builtin_env is None:
            self._builtin_env = _environment([self._builtin_folder])
        return self._builtin_env

    def template_words(self) -> frozenset[str]:
        """Every word the templates (built-in and the team's) and the rewriter write themselves.

        The invention check treats these as ordinary wording when they start a sentence.
        """
        words = set(_OWN_WORDS)
        for folder in (self._builtin_folder, self.team_folder):
            if folder is None:
                continue
            for path in Path(folder).glob("*.j2"):
                words.update(w.lower() for w in _WORDS.findall(path.read_text(encoding="utf-8")))
        return frozenset(words)

    @staticmethod
    def facts_to_keep(report: Report, signals: Signals) -> list[str]:
        """Facts of the draft a rewrite must keep: all but crowd pings, template fields, the
        salutation (the template greets them itself) and someone else's quoted words."""
        doc = signals.doc
        blanks = [(f.start, f.end) for f in report.findings if f.rule == "blast"]
        blanks.extend(doc.span(start, end) for start, end in salutation_spans(signals))
        blanks.extend(doc.span(start, end) for start, end in doc.quoted)
        chars = list(report.text)
        for start, end in blanks:
            chars[start:end] = " " * (end - start)
        tokens = fact_tokens("".join(chars))
        # chat spelling is not a fact: "4 photoshop" reads "for photoshop"
        read = doc.cased.lower()
        entity_text = {report.text[slice(*doc.span(e.start, e.end))] for e in doc.entities}
        return [t for t in tokens if t in entity_text or t.lower() in read]

    def _changes_table(self) -> dict[str, str]:
        if self._changes is None:
            path = self._builtin_folder / "changes.toml"
            self._changes = {
                k: str(v) for k, v in tomllib.loads(path.read_text(encoding="utf-8")).items()
            }
        return self._changes

    def _change_list(self, report: Report, facts: Facts, name: str) -> tuple[str, ...]:
        table = self._changes_table()
        seen: dict[str, None] = {}
        for f in report.findings:
            key = f.rule
            if f.rule == "hollow-endorsement" and name != "decline":
                key = "hollow-endorsement-left-out"
            change = table.get(key)
            if change:
                seen.setdefault(change, None)
        return tuple(seen)

    @staticmethod
    def _note(missing: tuple[MissingFact, ...], unexcused: list[Finding], name: str) -> str:
        if name == "decline":
            note = (
                "You haven't described first-hand experience of their work, so the honest "
                "answer is a kind decline. If nobody asked you, simply don't send the endorsement."
            )
        else:
            note = "Here's a more personal version that keeps your facts and adds none."
        if any(m.prompt.startswith("optional:") for m in missing):
            note += " Fill in the [brackets] (or delete the optional ones): only you know those."
        elif missing:
            note += " Fill in the [brackets]: only you know those."
        if unexcused:
            rules = ", ".join(sorted({f.rule for f in unexcused}))
            note += f" rapport still flags {rules} in it; please review before sending."
        if name == "referral_request":  # coaching beside the message, never words in it
            note += (
                " Tip: an introduction is easier to say yes to when you offer a short note "
                "they could forward."
            )
        return note


_ENDORSED_YOU = re.compile(
    r"\b(?:endors\w*|recommend\w*|vouch\w*(?: for)?|rated|reviewed)\s+(?:you|u)\b", re.I
)


#: Roles whose lines may go for pressure the reader hears in them alone, and how sure it must
#: be (well above the rule's firing threshold: a line alone reads more pressing than in context).
_PRESS_ROLES = ("details", "reason", "warm", "easy_out", "given", "specific")
_PRESSING = 0.95
#: Pressure the rewrite never keeps, fired or not: urgency, guilt, entitlement. (A deadline
#: is not among them: it stays, politely, in the easy out.)
_URGENT = frozenset({"pressure_urgent"})
#: "…what I do now", "register today": a time word alone is left to the reader's judgment.
_ONLY_WHEN = re.compile(
    r"(?i)^(?!.*\b(?:asap|urgent\w*|immediately|right now|right away)\b).*\b(?:today|tonight|now|"
    r"this morning|this afternoon|within the hour)\W*$"
)


def _admits_cold_ask(report: Report, signals: Signals, supplied: Mapping[str, str] | None) -> bool:
    """An ask to vouch that says the two don't know each other ("you don't know me, but could
    you recommend me"): a [how you know them] slot would ask the sender to make one up."""
    cold = any(f.rule == "cold-ask" for f in report.findings)
    return (
        report.kind in (Kind.ENDORSEMENT_REQUEST, Kind.REFERRAL_REQUEST)
        # the sender's own words say they're strangers ("you don't know me"; "we've never met"
        # where rapport also finds the ask cold); a shared history they also wrote ("you don't
        # know me well, but we met at…") keeps the ordinary rewrite
        and (
            (signals.has("cold_contact") and (cold or not signals.voice("relationship")))
            or (signals.has("no_firsthand") and cold)
        )
        and not signals.context.known_relationship
        and not (supplied or {}).get("relationship")
    )


def _hollow_towards_them(report: Report) -> bool:
    """A hollow endorsement of the reader themself ("I don't know what you do, but I endorsed
    you"): there is nobody to decline to, and nothing honest to rewrite it into."""
    return (
        report.kind is Kind.ENDORSEMENT
        and any(f.rule == "hollow-endorsement" for f in report.findings)
        and _ENDORSED_YOU.search(report.text) is not None
    )


def _unexcused(report: Judgement, missing: set[str]) -> list[Finding]:
    """Findings a [prompt] does not explain."""
    return [f for f in report.findings if not (EXCUSED_BY.get(f.rule, frozenset()) & missing)]


def _peer_ask(facts: Facts) -> bool:
    """An endorsement or recommendation between peers, where giving first is the norm — not a
    reference letter from a professor or a customer's review."""
    ask = facts.ask
    if ask is None or ask.type not in ("skills", "recommendation", "general"):
        return False
    return not re.search(r"(?i)\b(?:letter|reference|review|testimonial)\b", ask.target or "")


def _self_centred(report: Judgement) -> bool:
    return any(f.rule == "self-centered" for f in report.findings)


def _blank_prompts(text: str) -> str:
    """Prompts become blanks of the same length, so they add no evidence to the self-check."""
    return PROMPT.sub(lambda m: " " * len(m.group(0)), text)


def _defuse(text: str) -> str:
    """Words we echo back must not ping anyone: break @here/@channel/@everyone and <!…>."""
    text = re.sub(r"<!(here|channel|everyone)[^>]*>", r"@​\1", text)
    text = re.sub(r"<!subteam\^[^|>]*\|?([^>]*)>", r"@​\1", text)
    text = re.sub(r"<@&(\d+)>", r"@​role", text)
    return re.sub(r"(?<![\w​])@(here|channel|everyone)\b", "@​\\1", text, flags=re.I)
