"""Blocking appends: positions, duplicate retries, every typed error, retries after lost answers."""
import uuid

import indelible
from tests.support import NOW, Proxy, ServerTestCase, narrow_token, token, unique, url, user_id


def selfie(user: int, file_id: str, **extra) -> dict:
    event = {"type": "selfie.submitted",
             "data": {"user_id": user, "media_type": "photo", "file_id": file_id, "submitted_at": NOW}}
    event.update(extra)
    return event


class AppendTest(ServerTestCase):
    def test_append_then_retry_with_the_same_ids_answers_the_same_positions(self):
        user = user_id()
        stream = f"selfies-user-{user}"
        batch = [selfie(user, f"f{i}") for i in range(3)]
        first = self.client.append(stream, batch, expected_version="new")
        self.assertIsInstance(first, indelible.Appended)
        self.assertEqual((first.stream, first.count, first.first_stream_version, first.last_stream_version,
                          first.duplicate), (stream, 3, 0, 2, False))
        self.assertEqual(first.last_global_seq - first.first_global_seq, 2)
        self.assertTrue(all(uuid.UUID(e["event_id"]) for e in batch), "each event was given an id")

        retry = self.client.append(stream, batch, expected_version="new")  # same dicts, same ids
        self.assertTrue(retry.duplicate)
        self.assertEqual((retry.first_global_seq, retry.last_global_seq, retry.first_stream_version,
                          retry.last_stream_version, retry.count),
                         (first.first_global_seq, first.last_global_seq, 0, 2, 3))

        one = self.client.append(stream, selfie(user, "f3"), expected_version=2)
        self.assertEqual((one.first_stream_version, one.count, one.duplicate), (3, 1, False))
        self.assertEqual(one.first_global_seq, one.last_global_seq)
        stored = self.client.read_stream(stream)
        self.assertEqual([e.data["file_id"] for e in stored], ["f0", "f1", "f2", "f3"])
        self.assertEqual([e.event_id for e in stored[:3]], [e["event_id"] for e in batch])
        self.assertEqual(stored[0].global_seq, first.first_global_seq)
        self.assertEqual(stored[0].type, "selfie.submitted")
        self.assertEqual(self.client.read_stream(f"selfies-user-{user_id()}"), [])

    def test_an_event_of_any_other_type_is_stored_as_its_json(self):
        stream = unique("orders-")
        data = {"total": 9.5, "items": [{"sku": "a", "n": 2}], "note": "caf\u00e9 \u2713", "paid": False}
        appended = self.client.append(stream, [{"type": "order.placed", "data": data},
                                               {"type": "order.paid", "data": {}}], expected_version="new")
        stored = self.client.read_stream(stream)
        self.assertEqual([(e.type, e.data, e.stream_version) for e in stored],
                         [("order.placed", data, 0), ("order.paid", {}, 1)])
        self.assertEqual(stored[1].global_seq, appended.last_global_seq)
        self.assertEqual(self.client.read(appended.first_global_seq, 1).events[0].data, data)

    def test_wrong_expected_version(self):
        user = user_id()
        stream = f"selfies-user-{user}"
        self.client.append(stream, selfie(user, "a"))
        with self.assertRaises(indelible.WrongExpectedVersion) as caught:
            self.client.append(stream, selfie(user, "b"), expected_version="new")
        e = caught.exception
        self.assertEqual((e.code, e.status, e.field, e.stream, e.actual_version, e.expected_version),
                         ("wrong_expected_version", 409, "expected_version", stream, 0, -1))
        self.assertIsInstance(e, indelible.Conflict)
        self.assertIn("is at version 0", e.message)
        with self.assertRaises(indelible.WrongExpectedVersion) as caught:
            self.client.append(stream, selfie(user, "b"), expected_version=5)
        self.assertEqual(caught.exception.actual_version, 0)
        with self.assertRaises(indelible.WrongExpectedVersion) as caught:
            other = user_id()
            self.client.append(f"selfies-user-{other}", selfie(other, "b"), expected_version="exists")
        self.assertEqual(caught.exception.actual_version, -1)

    def test_rule_violated_for_a_second_registration_of_one_email(self):
        email = unique("dup-") + "@example.com"
        stream = "email-" + email
        registered = {"type": "account.registered",
                      "data": {"account_id": str(uuid.uuid4()), "email": email, "display_name": "First"}}
        self.client.append(stream, registered)
        second = {"type": "account.registered",
                  "data": {"account_id": str(uuid.uuid4()), "email": email, "display_name": "Second"}}
        with self.assertRaises(indelible.RuleViolated) as caught:
            self.client.append(stream, second)  # expected_version any: the rule still holds
        e = caught.exception
        stored = e.checked_stream  # the reservation as stored: a keyed hash of the address, not the address
        self.assertRegex(stored, r"^email-[0-9a-f]{64}$")
        self.assertEqual((e.code, e.status, e.field, e.rule, e.checked_stream, e.actual_version,
                          e.required_version, e.event_index, e.stream),
                         ("rule_violated", 409, "data.email", "account.registered", stored, 0, -1, 0, stored))
        self.assertEqual(e.why, "an address has one account")
        self.assertEqual(e.details["checked_stream"], stored)
        self.assertEqual(len(self.client.read_stream(stream)), 1)

        with self.assertRaises(indelible.RuleViolated) as caught:  # in a batch: the event is named
            other = unique("b-") + "@example.com"
            self.client.append("email-" + other, [
                {"type": "account.registered", "data": {"account_id": "a1", "email": other, "display_name": ""}},
                {"type": "account.registered", "data": {"account_id": "a2", "email": other, "display_name": ""}}])
        self.assertEqual((caught.exception.field, caught.exception.event_index), ("events[1].data.email", 1))

    def test_invalid_event_names_data_user_id_for_user_0(self):
        with self.assertRaises(indelible.InvalidEvent) as caught:
            self.client.append("selfies-user-0", selfie(0, "zero"))
        e = caught.exception
        self.assertEqual((e.code, e.status, e.field), ("invalid_argument", 400, "data.user_id"))
        self.assertTrue(e.reason and e.reason == e.message, e.reason)  # "must be a positive id: 0" (or "is required")
        with self.assertRaises(indelible.InvalidEvent) as caught:
            self.client.selfies.submit(0, "photo", "zero", NOW)
        self.assertEqual(caught.exception.field, "data.user_id")
        with self.assertRaises(indelible.InvalidEvent) as caught:  # in a batch
            self.client.append("selfies-user-5", [selfie(5, "ok"), selfie(0, "zero")])
        self.assertEqual(caught.exception.field, "events[1].data.user_id")
        with self.assertRaises(indelible.InvalidEvent) as caught:  # the stream the rule names
            self.client.append("selfies-user-5", selfie(6, "other user"))
        self.assertEqual(caught.exception.field, "stream")
        with self.assertRaises(indelible.InvalidEvent) as caught:  # refused before sending
            self.client.append("selfies-user-5", {"type": "selfie.submitted"})
        self.assertEqual(caught.exception.field, "data")

    def test_permission_denied_for_a_narrow_token(self):
        with indelible.Client(url(), narrow_token()) as narrow:
            user = user_id()
            self.assertFalse(narrow.append(f"selfies-user-{user}", selfie(user, "mine")).duplicate)
            email = unique("n-") + "@example.com"
            with self.assertRaises(indelible.PermissionDenied) as caught:
                narrow.accounts.register(email, "Not Mine")
            e = caught.exception
            self.assertEqual((e.code, e.status, e.field), ("permission_denied", 403, "stream"))
            self.assertIn("email-" + email, e.message)
            with self.assertRaises(indelible.PermissionDenied):
                narrow.status()

    def test_unauthenticated_and_event_id_conflict(self):
        with indelible.Client(url(), "idl_0000000000000000_not-a-token") as stranger:
            with self.assertRaises(indelible.Unauthenticated) as caught:
                stranger.read(0, 1)
            self.assertEqual((caught.exception.status, caught.exception.field), (401, "authorization"))
        user = user_id()
        stream = f"selfies-user-{user}"
        event_id = str(uuid.uuid4())
        first = self.client.append(stream, selfie(user, "x", event_id=event_id))
        with self.assertRaises(indelible.EventIdConflict) as caught:
            self.client.append(stream, selfie(user, "y", event_id=event_id))
        e = caught.exception
        self.assertEqual((e.event_id, e.existing_global_seq, e.status), (event_id, first.first_global_seq, 409))

    def test_unknown_query_parameter_and_limits_are_invalid_arguments(self):
        with self.assertRaises(indelible.InvalidArgument) as caught:
            self.client.read(0, 5000)
        self.assertEqual(caught.exception.field, "limit")
        self.assertNotIsInstance(caught.exception, indelible.InvalidEvent)

    def test_a_lost_answer_is_retried_with_the_same_ids_and_stored_once(self):
        proxy = Proxy()
        try:
            with indelible.Client(proxy.url, token()) as flaky:
                user = user_id()
                stream = f"selfies-user-{user}"
                flaky.append(stream, selfie(user, "warm-up"))
                proxy.swallow(1)  # the server appends, the answer is lost: the client retries
                answer = flaky.append(stream, [selfie(user, "a"), selfie(user, "b")])
                self.assertEqual(proxy.swallowed, 1)
                self.assertTrue(answer.duplicate, "the retry found the batch stored by the lost attempt")
                self.assertEqual((answer.first_stream_version, answer.count), (1, 2))
                proxy.cut()  # a kept-alive connection the server side closed: reconnects
                self.assertFalse(flaky.append(stream, selfie(user, "c")).duplicate)
                proxy.down(0.6)  # refused for a while: retried with backoff
                self.assertFalse(flaky.append(stream, selfie(user, "d")).duplicate)
                self.assertEqual([e.data["file_id"] for e in self.client.read_stream(stream)],
                                 ["warm-up", "a", "b", "c", "d"])
            with indelible.Client(proxy.url, token(), max_attempts=3,
                                  retry_seconds=0.5) as impatient:
                proxy.down(5)
                with self.assertRaises(indelible.Unavailable) as caught:
                    impatient.append(f"selfies-user-{user_id()}", selfie(1, "never"))
                self.assertEqual(caught.exception.code, "unreachable")
        finally:
            proxy.close()
