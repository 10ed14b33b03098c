"""The rewrite keeps the draft's shape: its order, one greeting, one ask, one thanks.

Blind raters called a rewrite broken when it moved the sender's lines around, greeted twice,
asked twice or thanked twice; these pin the fixes on drafts shaped like the ones they read.
"""

from __future__ import annotations

import pytest

from rapport.bot.rewriter.honesty import PROMPT
from rapport.bot.rewriter.rewrite import Rewriter


@pytest.fixture(scope="module")
def rewriter() -> Rewriter:
    return Rewriter()


def _text(rewriter: Rewriter, draft: str) -> str:
    rewrite = rewriter.check(draft).rewrite
    assert rewrite is not None and rewrite.text is not None, rewrite
    return rewrite.text


def test_lines_keep_the_order_the_sender_wrote_them_in(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Hi Kaveh, great meeting you at the Lagos Games Week party!! You clearly know your "
        "stuff. I wrote you a recommendation last night. Would you mind returning the favour "
        "for my 2D animation? I need 50 recommendations by Friday!!",
    )
    met = text.index("Great meeting you")
    assert met < text.index("I wrote you a recommendation") < text.index("Would you mind")


def test_closing_warm_lines_stay_last(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Hi Sam, we worked together on the payments team at Acme. Could you endorse me for "
        "Python ASAP??? I need 50 endorsements by Friday!! Hope you're well!",
    )
    assert text.index("Could you endorse me") < text.index("Hope you're well!")
    assert text.rstrip().endswith("Hope you're well!\n\nThanks!")


def test_a_family_greeting_is_the_greeting_and_is_not_repeated(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Uncle Kenji!!! I can't believe I only just found you on here. Please accept my "
        "connection request TODAY, the coordinators count them on Friday.",
    )
    assert text.startswith("Hi Uncle Kenji,\n")
    assert text.count("Kenji") == 1


def test_a_shouted_name_is_greeted_in_ordinary_case(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "MATEO!!! How are you?? I need you to introduce me to your client at Northgate "
        "Properties TODAY, I really need this contract.",
    )
    assert text.startswith("Hi Mateo,")


def test_the_salutation_stops_at_the_name(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Hiii Mohammed!! its Greta, we met at the SFU career fair lol. Im sooo ready for my "
        "next role, got 3 new certs + my portfolio is amazing. can u refer me to ur team?? "
        "would be a dream!!",
    )
    first_line = text.split("\n", 1)[0]
    assert first_line == "Hiii Mohammed,"
    assert text.lower().count("its greta") == 1


def test_an_ask_in_the_senders_words_is_not_asked_again(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Hi Connor, Ayumi told me about your work on the rowing models, it sounds fascinating! "
        "I'm building my profile for a faculty position, and I'd be so grateful for an "
        "endorsement for Sports Biomechanics on LinkedIn. I'll endorse you for Machine "
        "Learning straight back.",
    )
    assert "I'd be so grateful for an endorsement" in text
    assert "Would you be willing to" not in text


def test_an_invitation_to_connect_is_the_connection_ask(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Hello everyone, I am writing on behalf of the NAIROBI RETAIL FORUM. We would like "
        "to invite you to connect with us on LinkedIn. Connect today, we accept everyone!!",
    )
    assert "Would you be open to connecting?" not in text


def test_a_thank_you_is_not_thanked_twice(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Hi Tariq, just saw the lovely reference you wrote for me for the literacy programme, "
        "thank you so so much!! Honestly your a wonderful person, so kind and hardworking and "
        "always so positive. Hope to see you at the next saturday session, take care!!",
    )
    assert "Thank you for [" not in text
    assert text.index("thank you so so much") < text.index("Hope to see you")


def test_a_trades_offer_is_an_optional_bracket_not_a_promise(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Hi Connor, Ayumi told me about your rowing models. Endorse me for Sports "
        "Biomechanics and I'll endorse you for Machine Learning straight back!",
    )
    assert "whatever you decide" not in text
    offers = [m.group() for m in PROMPT.finditer(text) if "your offer" in m.group()]
    assert offers and offers[0].startswith("[optional:")
    assert "endorse you for Machine Learning;" in offers[0]  # "straight back" went with it


def test_a_left_out_vote_ask_is_the_example_in_the_ask_bracket(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Dear Mateo,\n\nIt was a pleasure meeting you at the Africa Climate Tech Forum. Our "
        "startup, Cyclo Cells, has been shortlisted for the Green Startup Award. Could you "
        "kindly vote for us using the link below, and share it on your LinkedIn and "
        "WhatsApp? Voting closes on Sunday.\n\nBest regards,\nDmitri",
    )
    asks = [m.group() for m in PROMPT.finditer(text) if "genuinely like" in m.group()]
    assert asks and "vote for us" in asks[0]
    assert "share it" not in asks[0]


def test_no_full_stop_after_an_emoji(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Dear Mateo,\n\nI enjoyed our brief conversation about battery recycling 😊\n\nOur "
        "startup has been shortlisted for the Green Startup Award. Could you vote for us and "
        "share it on your LinkedIn? Voting closes on Sunday.\n\nBest regards,\nDmitri",
    )
    assert "😊." not in text


def test_a_formal_closing_ends_the_message_instead_of_standing_mid_body(
    rewriter: Rewriter,
) -> None:
    text = _text(
        rewriter,
        "Dear Sir,\n\nI was given your contact by a mutual acquaintance. Please refer me to "
        "your hiring manager ASAP.\n\nThank you for your time.\n\nYours faithfully,\nRohan",
    )
    assert text.rstrip().endswith("Yours faithfully,\nRohan")
    assert "Yours faithfully." not in text


def test_a_writer_without_capitals_signs_off_as_themself(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "i run the biggest retail community in east africa\n\nplease accept my linkedin "
        "invite asap i am looking to grow my reach this quarter, everyone else already did\n\n"
        "kaveh",
    )
    assert text.rstrip().endswith("Kaveh")
    assert "kaveh." not in text.lower().replace("\nkaveh", "")


def test_a_pasted_subject_line_is_not_a_sentence_of_the_message(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Subject: Job search - any leads appreciated!\n\nHi Sam, after six years at Gridwise I "
        "was laid off last month. Refer me to your hiring manager ASAP, you owe me one after I "
        "covered your shifts!!\n\nEmeka",
    )
    assert "Subject" not in text and "Job search" not in text


def test_urgency_the_reader_let_pass_is_still_left_out(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Hey! So I've been volunteering for ages and I'm FINALLY ready to go for paid roles. "
        "I want something in NGO management ASAP, ideally programme coordination. Could you "
        "refer me if you hear of anything?",
    )
    assert "ASAP" not in text
    assert "NGO management, ideally programme coordination" in text


def test_talk_of_reach_goes_with_the_like_and_share_ask(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Hi Teo, I hit 10k followers on LinkedIn!! Please like and share my post, I want it "
        "trending before Monday lol. Every repost counts!",
    )
    assert "trending" not in text and "Every repost" not in text
    assert "I hit 10k followers on LinkedIn!!" in text


def test_lines_to_a_crowd_are_left_out_of_a_note_to_one(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Hope everyone's good. I'm a freelance 3D artist, mostly props and environments. "
        "Please share my portfolio with every studio you know and like my latest post!! "
        "Thanks everyone!!",
    )
    assert "everyone" not in text
    assert "freelance 3D artist" in text


def test_an_emoji_that_ends_a_sentence_ends_it(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Hey everyone! Hope your all doing well and staying dry with this rain 🌧️ So as most "
        "of you know im volunteering with Hands for Jamestown again this year. We are "
        "organising the big 10K charity walk on the 9th. Please like and share this post and "
        "tag 5 friends!!",
    )
    assert "Hands for Jamestown" in text  # the news stays; the crowd lines around it go
    assert "your all" not in text and "most of you" not in text


def test_a_reason_clause_does_not_stand_alone_once_its_ask_is_gone(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Dear Dana, Farah Osei gave me your name because you lead the urban resilience work at "
        "Coastal Futures. I am writing my final-year project on flood risk in Agbogbloshie. As "
        "it is currently in the running for the People's Choice award, please like and share "
        "my post on LinkedIn and tag your friends, the most-liked entry wins!!\n\nKind "
        "regards,\nAnjali",
    )
    assert "As it is currently" not in text
    assert "flood risk in Agbogbloshie" in text


def test_urgency_closing_an_ask_goes_and_the_easy_out_says_when(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Dear Cousin Mohammed, I need a job before Friday. Please refer me for the senior "
        "developer role at your company today.",
    )
    assert "today" not in text.lower()
    assert "senior developer role at your company" in text
    assert "If you have time before Friday" in text
    assert "how you know" not in text  # family needs no "how you know them"


def test_paragraphs_and_lists_keep_their_breaks(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Hi Sam,\n\nAfter six years at Gridwise I was laid off last month. I led the rewrite of "
        "our ingestion pipeline.\n\nWhat I'm looking for: backend roles, remote or Lagos.\n\n"
        "How you can help:\n1. If your company is hiring, refer me ASAP!!\n2. If you know "
        "someone who's hiring, an intro would be amazing.\n- My CV is attached.\n\nThanks,\nEmeka",
    )
    assert "pipeline.\n\nWhat I'm looking for" in text
    assert "How you can help:" in text
    assert "\n2. If you know someone" in text and "\n- My CV is attached." in text


@pytest.mark.parametrize(
    ("draft", "greeting", "left_out"),
    [
        (
            "Heyy Abdul! Paolo says ur a legend in SaaS sales. If u endorse me for Negotiation "
            "I'll endorse u right back!! deal?",
            "Hi Abdul,",
            "Heyy Abdul",
        ),
        (
            "@Aisha sooo great meeting u at demo night!! write me a LinkedIn rec for the logo "
            "work, need it up this week",
            "Hi Aisha,",
            "@Aisha",
        ),
        (
            "Dmitriii thank you SO much for the lovely recommendation!! Could you vote for us "
            "and share the link on your stories?? Voting closes Sunday!",
            "Hi Dmitriii,",
            "Dmitriii thank",
        ),
    ],
)
def test_a_casual_opening_that_names_them_is_the_greeting(
    rewriter: Rewriter, draft: str, greeting: str, left_out: str
) -> None:
    text = _text(rewriter, draft)
    assert text.startswith(greeting + "\n")
    assert left_out not in text


def test_an_interjection_is_not_a_name(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Omg thank you for the endorsement!!! Could you write me a recommendation too? I need "
        "it by tomorrow, please please please!!",
    )
    assert "Omg," not in text.split("\n", 1)[0]


def test_a_crowd_line_is_not_salvaged_as_a_clause(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Hi all!! 💃 We're nominated for Best Community at the Nairobi Tech Awards 🏆 PLEASE "
        "every one of you endorse us on the form TODAY, it closes tonight!! Don't let me down "
        "fam 🙏🔥",
    )
    assert "every one of you" not in text
    assert "We're nominated for Best Community at the Nairobi Tech Awards" in text


def test_a_link_opening_a_sentence_keeps_its_case(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Dmitri thank you SO much for the lovely recommendation!! Our community is in the "
        "running for the Sauti Awards and voting closes Sunday! 🗳️ sauti.awards/vote/nairobi "
        "Could you vote for us and share the link on your stories??",
    )
    assert "Sauti.awards" not in text


def test_lines_that_only_served_the_trade_go_with_it(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Thank you SO much, Malia, for the beautiful recommendation!! I'll write you one back "
        "if you endorse me for Python. Then we'll both be fully covered! Thanks again!",
    )
    assert "we'll both" not in text


def test_the_ask_is_asked_when_only_its_neighbours_were_kept(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Hi. I'm job hunting in cybersecurity, mostly SOC analyst roles.\nSending you a "
        "LinkedIn request now. If you accept and endorse me for incident response and SIEM, "
        "I'll endorse all your skills back straight away. Deal?",
    )
    assert "Would you be willing to endorse me for incident response and SIEM?" in text
    assert text.count("Would you be willing") == 1


def test_closing_thanks_stay_last_and_are_not_said_twice(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Hi Abdul, wow, thank you SO much for the endorsement! I just finished my certificate "
        "at BCIT. Please like and share my newsletter, every share counts!! Thanks again, "
        "you're the best!!\n\nRosa",
    )
    assert text.rstrip().endswith("Thanks again, you're the best!!\n\nBest,\nRosa")


def test_a_line_pointing_at_the_link_goes_when_the_link_is_shown(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Connor,\n\nShare my post. Link below. Do it today, it needs reach before the "
        "algorithm buries it.\n\nlinkedin.com/posts/rebrand-case-study\n\nT.",
    )
    assert "Link below" not in text
    assert "linkedin.com/posts/rebrand-case-study" in text


def test_a_closing_thanks_in_a_promotion_comes_after_the_ask(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Hey all! We're shortlisted for the Lagos Games Award 🎮 Please vote for us and "
        "repost, every single follow matters right now!! Would love to grab a coffee in Yaba "
        "some time. Thanks a million!! 🙏",
    )
    assert "every single follow" not in text
    assert text.rstrip().endswith("Thanks a million!!")


def test_a_line_the_reader_hears_as_pressure_on_its_own_goes(rewriter: Rewriter) -> None:
    rewrite = rewriter.check(
        "Hi all, our NGO is called Green Hands Accra. Please like and share our page! Please "
        "don't ignore this, I know you're busy but it takes 2 minutes!! Thank you SO much in "
        "advance 💚"
    ).rewrite
    assert rewrite is not None and rewrite.text is not None
    assert "don't ignore" not in rewrite.text
    assert any("don't ignore" in text for _, text in rewrite.removed)  # listed, not lost


def test_a_later_ask_stays_where_the_sender_put_it(rewriter: Rewriter) -> None:
    text = _text(
        rewriter,
        "Hi. I'm Looking For A Referral To Your Company. Senior Backend Role, Posted Last Week. "
        "I Have 6 Years Go/Python, Kubernetes, Postgres. Resume Attached. Please Submit Through "
        "Your Internal Referral Portal And Let Me Know Once Done. Thanks.",
    )
    assert text.index("Resume Attached.") < text.index("Please Submit Through")
