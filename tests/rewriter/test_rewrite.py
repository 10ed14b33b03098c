"""Rewrites through the real engine and the real jinja2 templates: honest, personal, checked.

The heart of it: every failing example of every rule is rewritten, and the rewrite must not
keep an error the user could not fix by answering a [prompt], must not invent a name, number,
link or date, and must keep (or openly set aside) every fact of the draft.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rapport.bot.config import load_config
from rapport.bot.engine.engine import Engine
from rapport.bot.engine.rules import Example, load_rules
from rapport.bot.models import Context, Kind, Severity
from rapport.bot.rewriter.honesty import PROMPT, inventions, missing_from
from rapport.bot.rewriter.rewrite import EXCUSED_BY, Rewriter


def _context(example: Example) -> Context:
    return Context(
        recipient=example.to,
        known_relationship=example.known_relationship,
        endorsements_given=example.endorsements_given,
    )


def _rule_examples() -> list[pytest.param]:
    return [
        pytest.param(ex, id=f"{rule.id}-{i}")
        for rule in load_rules()
        for i, ex in enumerate(rule.failing)
    ]


@pytest.mark.parametrize("example", _rule_examples())
def test_every_flawed_example_gets_an_honest_checked_rewrite(
    rewriter: Rewriter, example: Example
) -> None:
    report, signals = rewriter.engine.analyse(example.text, _context(example))
    rewrite = rewriter.rewrite(report, signals)
    assert rewrite is not None
    if rewrite.text is None:  # not outreach, or a hollow endorsement of the reader
        assert rewrite.note
        return
    missing = {m.field for m in rewrite.missing}
    unexcused = [
        f.rule
        for f in rewrite.findings
        if f.severity is Severity.ERROR and not (EXCUSED_BY.get(f.rule, frozenset()) & missing)
    ]
    assert not unexcused, f"the rewrite still has {unexcused}:\n{rewrite.text}"
    invented = inventions(rewrite.text, [example.text, example.to or ""], rewriter.template_words())
    assert not invented, f"invented {invented}:\n{rewrite.text}"
    assert "(From your draft" not in rewrite.text, rewrite.text
    left_out = " ".join(text for _, text in rewrite.removed)
    for token in missing_from(rewrite.text, rewriter.facts_to_keep(report, signals)):
        assert token in rewrite.set_aside and not missing_from(left_out, [token]), (
            f"{token!r} vanished:\n{rewrite.text}"
        )
    if report.findings:
        assert rewrite.trust is not None


def test_endorsement_request_leads_with_history_offers_giving_first_and_asks_once(
    rewriter: Rewriter,
) -> None:
    text = (
        "Hi Dana,\n\nWe worked together on the billing migration at Acme in 2021. Endorse me "
        "for Python ASAP, I need it by Friday!\n\nThanks,\nSam"
    )
    rewrite = rewriter.check(text).rewrite
    assert rewrite is not None and rewrite.text is not None
    lines = rewrite.text.split("\n")
    assert lines[0] == "Hi Dana,"
    body = rewrite.text
    offer = "[optional: what you could honestly recommend Dana for, if anything;"
    assert body.index("We worked together") < body.index(offer)
    assert body.index(offer) < body.index("endorse me for Python")
    assert "Would you be willing to endorse me for Python?" in body
    assert "ASAP" not in body and "before Friday" in body and "no worries" in body.lower()
    assert body.endswith("Thanks,\nSam")
    assert [m.field for m in rewrite.missing] == ["given"]
    assert "I'd be glad" not in body  # the sender offered nothing: no offer is written for them
    assert "delete the optional ones" in rewrite.note


def test_referral_request_keeps_the_target_and_makes_it_easy(rewriter: Rewriter) -> None:
    rewrite = rewriter.check(
        "Hi Marco, we were on the fraud team at Brightline for two years. Refer me for the "
        "data engineer role at Fernwood. Need it today."
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert (
        "Would you be willing to refer me for the data engineer role at Fernwood?" in rewrite.text
    )
    # making it easy is suggested beside the message: the sender offered no note to forward
    assert "short note" not in rewrite.text and "short note they could forward" in rewrite.note
    assert "Refer me for" not in rewrite.text  # the bare command is gone


def test_connection_request_asks_for_the_shared_context(rewriter: Rewriter) -> None:
    rewrite = rewriter.check("Hi, I'd like to add you to my professional network.").rewrite
    assert rewrite is not None and rewrite.text is not None
    assert rewrite.template == "connection_request"
    assert "[where you met or what you share]" in rewrite.text
    assert {m.field for m in rewrite.missing} >= {"recipient", "relationship"}


def test_profile_recommendation_stays_unaddressed(rewriter: Rewriter) -> None:
    rewrite = rewriter.check("Priya is amazing and brilliant. Highly recommend!").rewrite
    assert rewrite is not None and rewrite.text is not None
    assert rewrite.template == "endorsement"
    assert not rewrite.text.startswith("Hi")
    assert "I'd like to recommend Priya." in rewrite.text
    assert "amazing" not in rewrite.text
    assert {m.field for m in rewrite.missing} == {"relationship", "specific"}


def test_promotion_becomes_one_to_one_and_drops_the_bait(rewriter: Rewriter) -> None:
    rewrite = rewriter.check(
        "Hi all, check out my new podcast episode about 3 lessons from scaling Acme! "
        "Like, share and subscribe: https://pod.example.com/ep3"
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert rewrite.template == "promotion"
    assert rewrite.text.startswith("Hi [their name],")
    assert "https://pod.example.com/ep3" in rewrite.text and "3 lessons" in rewrite.text
    assert "subscribe" not in rewrite.text.lower() and "honest take" in rewrite.text


def test_reciprocation_thanks_without_a_hollow_return(rewriter: Rewriter) -> None:
    rewrite = rewriter.check(
        "Thanks for the endorsement! I endorsed you back for everything, no idea what you do "
        "but whatever 👍"
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert rewrite.template == "reciprocation"
    assert "Thanks for the endorsement!" in rewrite.text
    assert "endorsed you back" not in rewrite.text
    assert rewrite.removed[0][0] == ("hollow-endorsement",)


def test_endorsing_someone_you_do_not_know_becomes_a_gracious_decline(rewriter: Rewriter) -> None:
    rewrite = rewriter.check(
        "I don't really know Tom but he's a rockstar, highly recommend him!"
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert rewrite.template == "decline"
    assert "Tom" in rewrite.text and "rockstar" not in rewrite.text
    assert "alternative" in {m.field for m in rewrite.missing}


def test_a_hollow_endorsement_of_the_reader_gets_advice_not_a_rewrite(rewriter: Rewriter) -> None:
    rewrite = rewriter.check(
        "Hi Tom, I endorsed you for Java, Python and Accounting, never seen your work but it "
        "boosts my profile views"
    ).rewrite
    assert rewrite is not None
    assert rewrite.text is None and "hollow" in rewrite.note


def test_not_outreach_gets_a_note_and_no_rewrite(rewriter: Rewriter) -> None:
    report = rewriter.check("Can we move our 1:1 to Thursday? Running late today.")
    assert report.kind is Kind.OTHER
    assert report.rewrite is not None and report.rewrite.text is None
    assert "nothing to rewrite" in report.rewrite.note


def test_a_clean_draft_comes_back_unchanged(rewriter: Rewriter) -> None:
    text = (
        "Hi Sam, we worked together on the payments team at Acme in 2021. Could you introduce "
        "me to Lena at Stripe? I'm applying for the data role there.\n\nThanks,\nJo"
    )
    report = rewriter.check(text)
    assert report.findings == ()
    assert report.rewrite is not None
    assert report.rewrite.unchanged and report.rewrite.text == text
    assert "Nothing to change" in report.rewrite.note


def test_supplied_facts_replace_the_prompts(rewriter: Rewriter) -> None:
    draft = "Can you endorse me for Python? I'll endorse you back."
    first = rewriter.check(draft).rewrite
    assert first is not None and first.text is not None and PROMPT.search(first.text)
    supplied = {
        "recipient": "Dana",
        "relationship": "we shipped the Q3 billing migration together at Acme",
    }
    second = rewriter.check(draft, supplied=supplied).rewrite
    assert second is not None and second.text is not None
    # only the optional offer is left: the sender's to make without the condition, or delete
    left = [m.group() for m in PROMPT.finditer(second.text)]
    assert left == [
        "[optional: your offer, with no strings attached — e.g. I'd be glad to "
        "endorse you; or delete this line]"
    ], second.text
    assert second.text.startswith("Hi Dana,")
    assert "We shipped the Q3 billing migration together at Acme." in second.text
    assert not [f for f in second.findings if f.severity is Severity.ERROR]
    assert second.trust is not None and first.trust is not None
    assert second.trust.quotient > first.trust.quotient


def test_trust_goes_up_when_the_flaws_go(rewriter: Rewriter) -> None:
    report = rewriter.check("@here endorse me for Python and SQL ASAP!! I need it by Friday.")
    assert report.rewrite is not None and report.rewrite.trust is not None
    assert report.rewrite.trust.quotient > report.trust.quotient


def test_mentions_survive_and_crowd_pings_do_not(rewriter: Rewriter) -> None:
    rewrite = rewriter.check(
        "<!channel> <@U024BE7LH> we worked on the payments revamp together at Acme. could you "
        "all endorse me for Go? <https://linkedin.com/in/jo|my profile>"
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert rewrite.text.startswith("Hi <@U024BE7LH>,")
    assert "<!channel>" not in rewrite.text and "@channel" not in rewrite.text
    assert "<https://linkedin.com/in/jo|my profile>" in rewrite.text
    assert "<@U024BE7LH>'s" not in rewrite.text  # prompts never ping anyone


def test_words_left_out_are_echoed_without_pinging_anyone(rewriter: Rewriter) -> None:
    rewrite = rewriter.check(
        "@everyone please like and share my post, it would mean a lot!"
    ).rewrite
    assert rewrite is not None
    echoed = " ".join(text for _, text in rewrite.removed)
    assert "@everyone" not in echoed


def test_the_json_contract(rewriter: Rewriter) -> None:
    out = rewriter.check("Endorse me for SQL now").to_json()
    rewrite = out["rewrite"]
    assert set(rewrite) >= {"text", "note", "template", "unchanged", "missing", "changes",
                            "removed", "set_aside", "trust", "findings"}  # fmt: skip
    assert rewrite["missing"][0].keys() == {"field", "prompt", "shape"}
    assert all(set(f) == {"rule", "severity"} for f in rewrite["findings"])


async def test_async_surface(rewriter: Rewriter) -> None:
    report = await rewriter.check_async("Endorse me for SQL now")
    assert report.rewrite is not None and report.rewrite.text is not None


# -- teams' own templates ----------------------------------------------------------------


def _team_folder(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "team-templates"
    folder.mkdir()
    (folder / "referral_request.j2").write_text(body, encoding="utf-8")
    return folder


DRAFT = (
    "Hi Marco, we were on the fraud team together. Refer me for the SRE role at Fernwood. "
    "Need it today."
)


def test_a_team_template_overrides_the_built_in(engine: Engine, tmp_path: Path) -> None:
    folder = _team_folder(
        tmp_path,
        '{% import "_parts.j2" as p with context %}{{ p.greet() }}\n\nTEAM VERSION: '
        "Would you be willing to {{ ask_phrase }}?\n\n{{ p.sign_off() }}\n",
    )
    rewrite = Rewriter(engine, templates=folder).check(DRAFT).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert (
        "TEAM VERSION: Would you be willing to refer me for the SRE role at Fernwood?"
        in rewrite.text
    )
    assert rewrite.template_error is None
    # other kinds still use the built-in templates
    other = Rewriter(engine, templates=folder).check("Endorse me for SQL now").rewrite
    assert other is not None and other.text is not None and "TEAM VERSION" not in other.text


def test_a_broken_team_template_is_named_with_its_line(engine: Engine, tmp_path: Path) -> None:
    folder = _team_folder(tmp_path, "Hi {{ recipient }},\n\n{% if %}\nbroken\n")
    rewrite = Rewriter(engine, templates=folder).check(DRAFT).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert rewrite.template_error is not None
    assert "referral_request.j2, line 3" in rewrite.template_error
    assert "built-in template instead" in rewrite.template_error
    assert "Would you be willing to refer me" in rewrite.text  # the built-in one was used


def test_a_team_template_failing_while_rendering_is_named_too(
    engine: Engine, tmp_path: Path
) -> None:
    folder = _team_folder(tmp_path, "Hi {{ recipient }},\n{{ no_such_thing.at_all }}\n")
    rewrite = Rewriter(engine, templates=folder).check(DRAFT).rewrite
    assert rewrite is not None and rewrite.template_error is not None
    assert "referral_request.j2, line 2" in rewrite.template_error
    assert "no_such_thing" in rewrite.template_error


def test_a_team_template_asking_for_an_unknown_fact_is_named(
    engine: Engine, tmp_path: Path
) -> None:
    folder = _team_folder(tmp_path, 'Hi,\n\n{{ need("favourite_colour", "their colour") }}\n')
    rewrite = Rewriter(engine, templates=folder).check(DRAFT).rewrite
    assert rewrite is not None and rewrite.template_error is not None
    assert "favourite_colour" in rewrite.template_error


def test_the_config_file_names_the_template_folder(tmp_path: Path) -> None:
    folder = _team_folder(tmp_path, "Hi {{ recipient }}, TEAM\n")
    config_file = tmp_path / "rapport.toml"
    config_file.write_text('[templates]\nfolder = "team-templates"\n', encoding="utf-8")
    config = load_config(config_file)
    assert config.templates == folder
    rewrite = Rewriter(Engine(config=config)).check(DRAFT).rewrite
    assert rewrite is not None and rewrite.text == "Hi Marco, TEAM"


@pytest.mark.parametrize(
    "draft",
    [
        "Hi Sam, you don't know me, but could you write me a LinkedIn recommendation? "
        "I'm applying for jobs.",
        "Hi Priya, I know we haven't worked together, but could you recommend me for the "
        "analyst role?",
    ],
)
def test_an_admitted_cold_ask_takes_the_honest_path(rewriter: Rewriter, draft: str) -> None:
    report = rewriter.check(draft)
    assert "cold-ask" in {f.rule for f in report.findings}  # the sender's own words say so
    rewrite = report.rewrite
    assert rewrite is not None and rewrite.text is None  # no [how you know them] to make up
    assert "get to know them first" in rewrite.note
    assert not rewrite.missing


def test_an_admitted_cold_ask_with_a_relationship_given_is_rewritten(rewriter: Rewriter) -> None:
    rewrite = rewriter.check(
        "Hi Sam, you don't know me, but could you write me a LinkedIn recommendation?",
        supplied={"relationship": "we met at the Acme hackathon and built the demo together"},
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert "We met at the Acme hackathon and built the demo together." in rewrite.text


def test_returning_an_endorsement_is_offered_only_as_an_optional_bracket(
    rewriter: Rewriter,
) -> None:
    rewrite = rewriter.check(
        "Dana, thanks for the recommendation!!! We were on the billing team at Acme together. "
        "Great person, highly recommend!"
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert "I'd be glad" not in rewrite.text
    assert "[optional: what of Dana's you could honestly recommend in return" in rewrite.text


@pytest.mark.parametrize(
    ("recipient", "greeting"),
    [
        ("Maya Chen", "Hi Maya,"),
        ("Kevin Park, an old classmate", "Hi Kevin,"),
        ("dana", "Hi Dana,"),
        ("Dr. Anna Weiss", "Dear Dr. Weiss,"),
        ("Friends", "Hi [their name],"),
        ("Ms", "Hi [their name],"),
    ],
)
def test_the_greeting_uses_a_first_name_or_a_title_and_surname(
    rewriter: Rewriter, recipient: str, greeting: str
) -> None:
    rewrite = rewriter.compose(
        Kind.ENDORSEMENT_REQUEST,
        {"recipient": recipient, "relationship": "we worked together at Acme", "ask": "endorse me"},
    )
    assert rewrite.text is not None and rewrite.text.splitlines()[0] == greeting


def test_hard_wrapped_email_is_read_and_rewritten_as_prose(rewriter: Rewriter) -> None:
    draft = (
        "Hi Dana,\n\nAnyway, I and some of my colleagues in the SF office\nhave been hearing "
        "good things about your team and wanted\nto ask whether you could introduce me to "
        "Lena ASAP. I need this today.\n\nThanks,\nSam"
    )
    report = rewriter.check(draft)
    rewrite = report.rewrite
    assert rewrite is not None and rewrite.text is not None
    assert (
        "Anyway, I and some of my colleagues in the SF office have been hearing good things "
        "about your team and wanted to ask whether you could introduce me to Lena." in rewrite.text
    )
    assert "office.\n" not in rewrite.text and "Have been" not in rewrite.text


def test_a_kept_offer_stands_apart_from_the_sentence_before(rewriter: Rewriter) -> None:
    rewrite = rewriter.check(
        "Hi all, We met at PyCon 2022 and talked about on-call rotations. Thanks for the kind "
        "endorsement on LinkedIn. It helped with my application to Vandelay. I'll endorse you "
        "for product strategy if you endorse me for UX research.\n\nBest,\nJo"
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert "Vandelay.I" not in rewrite.text and "to Vandelay.\n" in rewrite.text


def test_a_flawed_message_rapport_cannot_rewrite_still_gets_what_to_do(
    rewriter: Rewriter,
) -> None:
    report = rewriter.check("Can we move our 1:1 to Thursday? Answer me today, this is urgent.")
    assert report.kind is Kind.OTHER and report.findings
    rewrite = report.rewrite
    assert rewrite is not None and rewrite.text is None
    assert rewrite.note.startswith("What to do instead: ")
    assert report.findings[0].fix in rewrite.note


def test_a_demand_keeps_its_ask_purpose_and_deadline(rewriter: Rewriter) -> None:
    rewrite = rewriter.check(
        "Hi Sara, need a rec from you by Friday for my Helio application. "
        "We worked together at Acme."
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert "Would you be willing to write me a rec for my Helio application?" in rewrite.text
    assert "before Friday" in rewrite.text


@pytest.mark.parametrize(
    "draft",
    [
        "Subject: Referral request\n\nHello,\n\nI am a data engineer. Could you refer me to the "
        "hiring manager ASAP?",
        "Hello. Please endorse me for Python today, I need it urgent.",
        "Hey. Connor's friend. Could you endorse me for Go now?",
    ],
)
def test_ordinary_words_are_not_greeted_as_names(rewriter: Rewriter, draft: str) -> None:
    rewrite = rewriter.check(draft).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert rewrite.text.splitlines()[0] == "Hi [their name],"


def test_a_promotion_keeps_the_news_and_puts_no_ask_in_the_senders_mouth(
    rewriter: Rewriter,
) -> None:
    rewrite = rewriter.check(
        "Hey everyone!! I just launched my pottery shop, please like and share the page: "
        "clay.example.com"
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert "I just launched my pottery shop." in rewrite.text  # the news stays
    assert "like and share" not in rewrite.text and "no need to" not in rewrite.text
    assert "[what you'd genuinely like from them" in rewrite.text  # the sender's to write


def test_a_signature_block_stays_together_as_the_sign_off(rewriter: Rewriter) -> None:
    rewrite = rewriter.check(
        "Dear Mr. Reyes,\n\nNikhil Hoang passed on your contact details and mentioned that you "
        "know several of the regional buyers at Kilele Supermarkets. I would be very grateful "
        "for an introduction to the buyer for household products ASAP, I need this now.\n\n"
        "Best regards,\nCamille Agarwal\nSenior Account Executive, Savannah Supply Ltd."
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert rewrite.text.endswith(
        "Best regards,\nCamille Agarwal\nSenior Account Executive, Savannah Supply Ltd."
    )
    assert rewrite.text.count("Savannah Supply") == 1  # not also a sentence of the body
    assert ", I." not in rewrite.text and "ASAP" not in rewrite.text  # no fragment left behind


def test_a_line_to_the_crowd_is_left_out_of_a_note_to_one(rewriter: Rewriter) -> None:
    rewrite = rewriter.check(
        "Hi Kwame, we worked together on the mining recruitment project last year. Could you "
        "refer me to the hiring manager at your company? Please like and share my post too. "
        "You guys are the best!!!"
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert "You guys" not in rewrite.text
    assert (("blast",), "You guys are the best!!!") in rewrite.removed  # listed, not silent


@pytest.mark.parametrize(
    ("deadline", "said"),
    [
        ("Friday", "before Friday"),
        ("THIS WEEK", "this week"),
        ("tomorrow", "tomorrow"),
        ("end of the month", "by the end of the month"),
        ("the 12th", "before the 12th"),
    ],
)
def test_the_easy_out_says_the_deadline_the_way_people_do(deadline: str, said: str) -> None:
    from rapport.bot.rewriter.rewrite import _when

    assert _when(deadline) == said


def test_an_ask_put_as_a_need_is_asked_once(rewriter: Rewriter) -> None:
    rewrite = rewriter.check(
        "Oskar. Declan said you bought from us last year.\nNeed a recommendation on my "
        "LinkedIn. 3-4 lines about the delivery and pricing.\nPost it by tonight, my manager is "
        "checking profiles tomorrow morning.\nDon't overthink it."
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert "Would you be willing to write me a recommendation on my LinkedIn?" in rewrite.text
    assert "Need a recommendation" not in rewrite.text  # not also kept as a want


def test_a_promotion_keeps_news_said_as_my_thing_is_out(rewriter: Rewriter) -> None:
    rewrite = rewriter.check(
        "Hi everyone!! My book is finally out, please like and share the launch post: "
        "books.example.com/edges"
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert "My book is finally out." in rewrite.text


def test_the_asks_own_sentence_is_not_kept_beside_the_question(rewriter: Rewriter) -> None:
    rewrite = rewriter.check(
        "Hi family, you're my family, so you're the first people I thought to ask. I need an "
        "introduction to someone in the HR department at Jambo Telecom. Please do not ignore "
        "this message as well, reply TODAY."
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert rewrite.text.count("HR department at Jambo Telecom") == 1


def test_the_name_is_not_repeated_after_the_greeting(rewriter: Rewriter) -> None:
    rewrite = rewriter.check(
        "Hi Omar, we worked together on a survey project a while back. Omar could u endorse me "
        "for R and survey design on linkedin 🙏 need it TODAY thx 😊"
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert "Omar could" not in rewrite.text and "\nOmar" not in rewrite.text


def test_what_came_after_the_ask_stays_after_it(rewriter: Rewriter) -> None:
    rewrite = rewriter.check(
        "Hi Sam, we worked together at Acme for two years. Could you intro me to any investors "
        "you know? Need it this week, we're closing the round!! Thanks so much, it would mean "
        "a lot."
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    body = rewrite.text
    assert body.index("investors you know?") < body.index("it would mean a lot")


def test_a_closing_over_a_name_is_not_a_signature_block(rewriter: Rewriter) -> None:
    rewrite = rewriter.check(
        "Dear Malia\n\nI have received the recommendation you wrote. Kindly approve mine today "
        "so it shows NOW.\n\nRegards\nOskar"
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert rewrite.text.endswith("Regards,\nOskar") and "Thanks," not in rewrite.text


def test_a_mention_of_the_recipient_after_the_greeting_is_not_repeated(
    rewriter: Rewriter,
) -> None:
    rewrite = rewriter.check(
        "Hi Gabriela, @Gabriela could you send me your name and email for the showcase form "
        "TODAY? I need it now!!"
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert "@Gabriela" not in rewrite.text


def test_a_trade_leaves_no_half_sentence_or_deal_behind(rewriter: Rewriter) -> None:
    rewrite = rewriter.check(
        "Hi Chiara! We worked together at Acme. If you leave my app a 5-star review, I will "
        "give your bakery one on Google too! Deal?"
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert "Deal?" not in rewrite.text and "If you leave" not in rewrite.text
    assert (("quid-pro-quo",), "Deal?") in rewrite.removed  # listed, not silent
    assert set(rewrite.set_aside) >= {"Google"}  # the trade's facts are set aside, not lost
