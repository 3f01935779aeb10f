"""The batching producer: many threads, each one's order kept, every event stored once; a refusal
fails only its own future; lost answers are retried with the same ids."""
import collections
import threading
import time
from concurrent.futures import wait

import indelible
from tests.support import NOW, BufferingProxy, Proxy, ServerTestCase, narrow_token, token, unique, url, user_id

THREADS = 8
PER_THREAD = 2000
WARM_UP = 250
USERS = 5  # every thread writes to the same 5 streams, interleaved


class ProducerTest(ServerTestCase):
    def produce(self, producer, run, threads, per_thread, users):
        """``threads`` threads append ``per_thread`` selfies each; returns their futures and the time taken."""
        futures = [[] for _ in range(threads)]
        start = threading.Barrier(threads + 1)

        def work(t):
            start.wait()
            for i in range(per_thread):
                user = users[i % len(users)]
                futures[t].append(producer.append(
                    indelible.Selfies.stream(user),
                    indelible.Selfies.event(user, "photo", f"{run}-{t}-{i}", NOW)))

        workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
        for w in workers:
            w.start()
        start.wait()
        began = time.monotonic()
        for w in workers:
            w.join()
        self.assertTrue(producer.flush(60), "every append answered within 60 s")
        return futures, time.monotonic() - began

    def check_stored_once_in_order(self, start, run, futures, per_thread, retried=False):
        acks = [[f.result(0) for f in thread] for thread in futures]
        for t, thread in enumerate(acks):
            seqs = [a.global_seq for a in thread]
            self.assertEqual(seqs, sorted(seqs), f"thread {t}'s acks in its order")
            self.assertTrue(all(isinstance(a, indelible.Ack) for a in thread))
            if not retried:
                self.assertEqual([a for a in thread if a.duplicate], [], "nothing was sent twice")
        stored = collections.defaultdict(list)  # event id -> global_seqs
        by_thread = collections.defaultdict(list)  # thread -> (global_seq, i)
        for e in self.events_since(start):
            file_id = (e.data or {}).get("file_id", "")
            if e.type == "selfie.submitted" and file_id.startswith(run + "-"):
                _, t, i = file_id.rsplit("-", 2)
                stored[e.event_id].append(e.global_seq)
                by_thread[int(t)].append((e.global_seq, int(i)))
        expected = {a.event_id: a for thread in acks for a in thread}
        self.assertEqual(set(stored), set(expected), "every acknowledged selfie is stored, nothing else")
        self.assertEqual([k for k, v in stored.items() if len(v) != 1], [], "each stored once")
        for event_id, seqs in stored.items():
            self.assertEqual(seqs[0], expected[event_id].global_seq, "stored where acknowledged")
        for t in range(len(futures)):
            order = [i for _, i in sorted(by_thread[t])]
            self.assertEqual(order, list(range(per_thread)), f"thread {t}'s selfies stored in its order")

    def test_eight_threads_of_selfies_all_acked_stored_once_in_each_threads_order(self):
        run = unique("p")
        users = [user_id() for _ in range(USERS)]
        start = self.head()
        with self.client.producer() as producer:
            # A first round warms the server up (a fresh JVM runs these appends' code cold); not measured.
            _, warm_up = self.produce(producer, unique("w"), THREADS, WARM_UP, users)
            futures, seconds = self.produce(producer, run, THREADS, PER_THREAD, users)
        self.assertEqual(producer.transport, "ndjson", "the server has POST /append")
        total = THREADS * PER_THREAD
        print(f"\nproducer: {total} selfies from {THREADS} threads acknowledged in {seconds:.2f} s: "
              f"{total / seconds:,.0f} events/s over POST /append, after a warm-up of {THREADS * WARM_UP} at "
              f"{THREADS * WARM_UP / warm_up:,.0f}/s ({producer.stats})", flush=True)
        self.assertEqual((producer.stats.acked, producer.stats.failed), (total + THREADS * WARM_UP, 0))
        self.check_stored_once_in_order(start, run, futures, PER_THREAD)
        with self.assertRaises(indelible.ClosedError):
            producer.append("selfies-user-1", indelible.Selfies.event(1, "photo", "late", NOW))

    def test_over_streams_batches_as_on_a_server_without_post_append(self):
        run = unique("s")
        users = [user_id() for _ in range(USERS)]
        start = self.head()
        with self.client.producer(transport="streams") as producer:
            futures, seconds = self.produce(producer, run, 4, 500, users)
        print(f"\nproducer: 2000 selfies from 4 threads in {seconds:.2f} s over POST /streams batches "
              f"({producer.stats})", flush=True)
        self.check_stored_once_in_order(start, run, futures, 500)

    def test_a_refused_append_fails_only_its_own_future(self):
        for transport in ("ndjson", "streams"):
            with self.subTest(transport=transport), self.client.producer(transport=transport) as producer:
                user = user_id()
                stream = indelible.Selfies.stream(user)
                email = unique("p-") + "@example.com"
                taken = {"type": "account.registered",
                         "data": {"account_id": unique(), "email": email, "display_name": ""}}
                futures = [producer.append(stream, indelible.Selfies.event(user, "photo", "a", NOW)),
                           producer.append(stream, indelible.Selfies.event(user, "photo", "b", NOW),
                                           expected_version=7),                       # wrong version
                           producer.append("email-" + email, taken),
                           producer.append("email-" + email, {"type": "account.registered",  # the rule
                                                              "data": dict(taken["data"], account_id=unique())}),
                           producer.append(stream, indelible.Selfies.event(user, "photo", "c", NOW)),
                           producer.append("selfies-user-0", indelible.Selfies.event(0, "photo", "d", NOW)),
                           producer.append(stream, indelible.Selfies.event(user, "photo", "e", NOW))]
                wait(futures, 30)
                self.assertEqual(futures[0].result().stream_version, 0)
                self.assertIsInstance(futures[1].exception(), indelible.WrongExpectedVersion)
                self.assertEqual(futures[1].exception().actual_version, 0)
                self.assertEqual(futures[2].result().stream_version, 0)
                self.assertIsInstance(futures[3].exception(), indelible.RuleViolated)
                self.assertRegex(futures[3].exception().checked_stream, r"^email-[0-9a-f]{64}$")
                self.assertEqual(futures[4].result().stream_version, 1)
                self.assertIsInstance(futures[5].exception(), indelible.InvalidEvent)
                self.assertTrue(futures[5].exception().field.endswith("data.user_id"), futures[5].exception().field)
                self.assertEqual(futures[6].result().stream_version, 2, "sent again after the bad line")
                self.assertEqual([e.data["file_id"] for e in self.client.read_stream(stream)], ["a", "c", "e"])

    def test_batches_go_out_without_waiting_for_the_answers_of_those_before(self):
        # 200 batches of 10: one request each if every batch waited for its answer.
        user = user_id()
        stream = indelible.Selfies.stream(user)
        with self.client.producer(linger_ms=0, max_batch=10) as producer:
            futures = [producer.append(stream, indelible.Selfies.event(user, "photo", f"b{i}", NOW))
                       for i in range(2000)]
            wait(futures, 30)
        self.assertEqual([f.result(0).stream_version for f in futures], list(range(2000)))
        self.assertLess(producer.stats.requests, 20, producer.stats)

    def test_a_forbidden_stream_fails_its_own_future(self):
        with indelible.Client(url(), narrow_token()) as narrow, narrow.producer() as producer:
            user = user_id()
            mine = producer.append(indelible.Selfies.stream(user), indelible.Selfies.event(user, "photo", "m", NOW))
            theirs = producer.append("member-" + unique("x"), {"type": "member.joined",
                                                               "data": {"username": unique("x"), "invited_by": ""}})
            after = producer.append(indelible.Selfies.stream(user), indelible.Selfies.event(user, "photo", "n", NOW))
            self.assertEqual(mine.result(30).stream_version, 0)
            self.assertIsInstance(theirs.exception(30), indelible.PermissionDenied)
            self.assertEqual(after.result(30).stream_version, 1)

    def test_lost_answers_and_cut_connections_are_retried_with_the_same_ids(self):
        proxy = Proxy()
        run = unique("r")
        users = [user_id() for _ in range(3)]
        start = self.head()
        try:
            with indelible.Client(proxy.url, token()) as flaky, flaky.producer(linger_ms=2, max_batch=200) as producer:
                producer.append(indelible.Selfies.stream(users[0]),
                                indelible.Selfies.event(users[0], "photo", unique("warm-up-"), NOW)).result(30)
                proxy.swallow(2)  # answers lost after the server appended: sent again, answered as duplicates
                cutter = threading.Thread(target=lambda: [time.sleep(0.05) or proxy.cut() for _ in range(5)])
                cutter.start()
                futures, _ = self.produce(producer, run, 2, 1500, users)
                cutter.join()
            self.assertEqual(producer.stats.failed, 0)
            self.assertGreaterEqual(producer.stats.retries, 2, producer.stats)
            self.assertGreaterEqual(producer.stats.duplicates, 1, producer.stats)
            duplicates = sum(1 for thread in futures for f in thread if f.result().duplicate)
            self.assertEqual(duplicates, producer.stats.duplicates)
            self.check_stored_once_in_order(start, run, futures, 1500, retried=True)
        finally:
            proxy.close()

    def test_through_a_proxy_that_buffers_whole_requests_every_append_is_acked_in_order(self):
        self.check_through(BufferingProxy(), "ndjson")

    def test_behind_a_proxy_that_refuses_chunked_bodies_the_producer_sends_batches_to_streams(self):
        self.check_through(BufferingProxy(refuse_chunked=True), "streams")

    def check_through(self, proxy, transport):
        user, run = user_id(), unique("p")
        try:
            with indelible.Client(proxy.url, token()) as proxied, proxied.producer(linger_ms=2) as producer:
                futures = [producer.append(indelible.Selfies.stream(user),
                                           indelible.Selfies.event(user, "photo", f"{run}-{i}", NOW)) for i in range(300)]
                versions = [f.result(30).stream_version for f in futures]
            self.assertEqual(producer.transport, transport)
            self.assertEqual(versions, list(range(300)))
            self.assertEqual(producer.stats.failed, 0, producer.stats)
        finally:
            proxy.close()
