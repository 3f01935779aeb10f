"""One helper per domain: the events they write and the refusals they raise."""
import datetime
import uuid

import indelible
from tests.support import NOW, ServerTestCase, unique, user_id


class DomainTest(ServerTestCase):
    def test_selfies_submit_derives_the_id_so_a_resubmission_is_a_duplicate(self):
        user = user_id()
        at = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.timezone.utc)
        first = self.client.selfies.submit(user, "photo", "IMG_1.jpg", at)
        again = self.client.selfies.submit(user, "photo", "IMG_1.jpg", at)
        self.assertFalse(first.duplicate)
        self.assertTrue(again.duplicate)
        self.assertEqual(again.first_global_seq, first.first_global_seq)
        stored = self.client.read_stream(f"selfies-user-{user}")
        self.assertEqual(len(stored), 1)
        self.assertEqual(stored[0].event_id, indelible.Selfies.event_id(user, "IMG_1.jpg"))
        self.assertEqual(stored[0].data, {"user_id": user, "media_type": "photo", "file_id": "IMG_1.jpg",
                                          "submitted_at": "2024-05-01T12:00:00Z"})
        # the Java client's id for the same selfie (DomainEvents.eventId), so both dedupe alike
        self.assertEqual(indelible.derived_event_id("selfie.submitted", "7/f1"), "53705326-2d12-3344-bc10-33cf2db53664")
        with self.assertRaises(indelible.EventIdConflict):  # the same file with other details
            self.client.selfies.submit(user, "video", "IMG_1.jpg", at)

    def test_accounts_register_normalises_and_refuses_a_taken_address(self):
        local = unique("Ann.")
        account_id = self.client.accounts.register(f"  {local}@Example.COM ", "Ann")
        self.assertEqual(str(uuid.UUID(account_id)), account_id)
        email = f"{local.lower()}@example.com"
        stored = self.client.read_stream("email-" + email)
        self.assertEqual([(e.type, e.data["account_id"], e.data["email"]) for e in stored],
                         [("account.registered", account_id, email)])
        with self.assertRaises(indelible.EmailTaken) as caught:
            self.client.accounts.register(email.upper(), "Another Ann")
        e = caught.exception
        self.assertEqual(e.email, email)
        self.assertIsInstance(e, indelible.Conflict)
        self.assertIsInstance(e.__cause__, indelible.RuleViolated)
        self.assertEqual((e.code, e.field), ("rule_violated", "data.email"))
        self.assertRegex(e.details["checked_stream"], r"^email-[0-9a-f]{64}$")  # a keyed hash, not the address
        self.assertEqual(len(self.client.read_stream("email-" + email)), 1)

    def test_erase_shreds_an_account_once_and_refuses_what_has_no_key(self):
        local = unique("gone.")
        account_id = self.client.accounts.register(f"{local}@example.com", "Gone")
        email = f"{local.lower()}@example.com"
        self.assertTrue(self.client.erase(f"account-{account_id}"))
        stored = self.client.read_stream("email-" + email)  # the address stays taken, its fields shredded
        self.assertEqual([(e.data["account_id"], e.data["email"], e.data["display_name"]) for e in stored],
                         [(account_id, "[erased]", "[erased]")])
        self.assertFalse(self.client.erase(f"account-{account_id}"), "erased before: a retry reads False")
        with self.assertRaises(indelible.NotFound) as caught:
            self.client.erase(f"account-{uuid.uuid4()}")
        self.assertEqual(caught.exception.field, "subject")
        with self.assertRaises(indelible.InvalidArgument) as caught:
            self.client.erase("")
        self.assertEqual(caught.exception.field, "subject")

    def test_community_join_submit_prayer_and_mark_prayed(self):
        founder = self.client.community.join(unique("Max"))
        self.assertEqual(founder, founder.lower())
        member = self.client.community.join(unique("eve"), invited_by=founder.upper())
        with self.assertRaises(indelible.UsernameTaken) as caught:
            self.client.community.join(member.upper(), invited_by=founder)
        self.assertEqual(caught.exception.username, member)
        with self.assertRaises(indelible.UnknownMember) as caught:
            self.client.community.join(unique("bob"), invited_by=unique("nobody"))
        self.assertEqual(caught.exception.rule, "member.joined")
        prayer_id = self.client.community.submit_prayer(member, "for rain")
        with self.assertRaises(indelible.UnknownMember):
            self.client.community.submit_prayer(unique("ghost"), "for sun")
        marked = self.client.community.mark_prayed(prayer_id, founder)
        self.assertEqual(marked.first_stream_version, 1)
        with self.assertRaises(indelible.UnknownPrayer):
            self.client.community.mark_prayed(str(uuid.uuid4()), founder)
        with self.assertRaises(indelible.UnknownMember):
            self.client.community.mark_prayed(prayer_id, unique("ghost"))
        stored = self.client.read_stream("prayer-" + prayer_id)
        self.assertEqual([(e.type, e.data.get("author"), e.data.get("username")) for e in stored],
                         [("prayer.submitted", member, None), ("prayer.marked", None, founder)])
        self.assertEqual(self.client.read_stream("member-" + member)[0].data,
                         {"username": member, "invited_by": founder})

    def test_videos_record_processed_and_remove(self):
        video_id = unique("v")
        with self.assertRaises(indelible.UnknownVideo) as caught:
            self.client.videos.remove(video_id)
        self.assertEqual(caught.exception.video_id, video_id)
        processed = self.client.videos.record_processed(video_id, "https://v.example/1", "Intro",
                                                        {"faces": 2, "labels": ["cat"], "scores": {"cat": 0.5}})
        removed = self.client.videos.remove(video_id)
        self.assertEqual((processed.first_stream_version, removed.first_stream_version), (0, 1))
        stored = self.client.read_stream("video-" + video_id)
        self.assertEqual([e.type for e in stored], ["video.processed", "video.removed"])
        self.assertEqual(stored[0].data["results"], {"faces": 2, "labels": ["cat"], "scores": {"cat": 0.5}})

    def test_messages_post_is_idempotent_by_message_id(self):
        project = unique("proj")
        m1, m2 = unique("m1-"), unique("m2-")  # a message id is global: the id derives from it alone
        first = self.client.messages.post(m1, project, "general", "ann", NOW)
        again = self.client.messages.post(m1, project, "general", "ann", NOW)
        plus_two = datetime.timezone(datetime.timedelta(hours=2))
        second = self.client.messages.post(m2, project, "random", "bob", datetime.datetime(2024, 5, 1, 14, 0, tzinfo=plus_two))
        self.assertEqual((first.duplicate, again.duplicate, again.first_global_seq),
                         (False, True, first.first_global_seq))
        stored = self.client.read_stream("messages-" + project)
        self.assertEqual([(e.data["message_id"], e.data["channel"], e.data["posted_at"]) for e in stored],
                         [(m1, "general", "2024-05-01T12:00:00Z"), (m2, "random", "2024-05-01T12:00:00Z")])
        self.assertEqual(stored[0].event_id, indelible.Messages.event_id(m1))
        self.assertEqual(second.first_stream_version, 1)
