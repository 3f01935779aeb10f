"""Following the journal: exactly the events appended, in order, once, across cut connections."""
import threading
import time

import indelible
from tests.support import NOW, Proxy, ServerTestCase, partitioned_url, token, unique, user_id


class Collector(threading.Thread):
    """Iterates a subscription in the background until it has ``count`` events or is closed."""

    def __init__(self, subscription, count):
        super().__init__(daemon=True)
        self.subscription = subscription
        self.count = count
        self.events = []
        self.error = None
        self.done = threading.Event()
        self.start()

    def run(self):
        try:
            for event in self.subscription:
                self.events.append(event)
                if len(self.events) >= self.count:
                    break
        except BaseException as e:  # noqa: BLE001 - reported by the test
            self.error = e
        finally:
            self.done.set()

    def finish(self, test, timeout=30):
        finished = self.done.wait(timeout)
        self.subscription.close()
        if self.error is not None:
            raise self.error
        test.assertTrue(finished, f"{len(self.events)} of {self.count} events within {timeout} s")
        return self.events


class SubscribeTest(ServerTestCase):
    def append_selfies(self, client, users, files):
        appended = []
        for n, file_id in enumerate(files):
            user = users[n % len(users)]
            a = client.append(indelible.Selfies.stream(user), indelible.Selfies.event(user, "photo", file_id, NOW))
            appended.append(a)
        return appended

    def test_receives_exactly_the_events_appended_in_order(self):
        prefix_user = user_id()
        users = [int(f"{prefix_user}{k}") for k in range(3)]  # selfies-user-<prefix_user>0, 1, 2
        stream_prefix = f"selfies-user-{prefix_user}"
        before = self.append_selfies(self.client, users, [f"old-{i}" for i in range(50)])  # caught up from the past
        collector = Collector(self.client.subscribe(from_seq=before[0].first_global_seq, stream_prefix=stream_prefix,
                                                    poll_interval=0.05), 250)
        time.sleep(0.2)  # at the head now: the rest arrive while it polls
        other = user_id()
        appended = list(before)
        for round_ in range(4):
            appended += self.append_selfies(self.client, users, [f"new-{round_}-{i}" for i in range(50)])
            self.client.append(indelible.Selfies.stream(other), indelible.Selfies.event(other, "photo", unique(), NOW))
        events = collector.finish(self)
        self.assertEqual([e.global_seq for e in events], [a.first_global_seq for a in appended])
        self.assertEqual([e.data["file_id"] for e in events],
                         [f"old-{i}" for i in range(50)] + [f"new-{r}-{i}" for r in range(4) for i in range(50)])
        self.assertTrue(all(isinstance(e, indelible.Event) and e.stream.startswith(stream_prefix) for e in events))
        self.assertEqual(events[0].type, "selfie.submitted")
        self.assertEqual(events[0].data["user_id"], users[0], "an int64 up to 2^53 comes back as the number posted")
        position = collector.subscription.position  # past what it read, the other user's selfies too
        self.assertGreater(position, events[-1].global_seq)
        self.assertLessEqual(position, self.head())

    def test_filters_types_and_resumes_after_cut_connections(self):
        proxy = Proxy()
        try:
            with indelible.Client(proxy.url, token()) as flaky:
                project = unique("proj")
                start = self.head()
                subscription = flaky.subscribe(from_seq=start, types=["message.posted"], poll_interval=0.05)
                collector = Collector(subscription, 120)
                posted = []
                for i in range(120):
                    posted.append(self.client.messages.post(f"{project}-m{i}", project, "general", "ann", NOW))
                    if i % 10 == 0:
                        self.client.selfies.submit(user_id(), "photo", unique(), NOW)  # not a message: left out
                    if i % 30 == 15:
                        proxy.down(0.3)  # connections cut and refused for a while
                events = collector.finish(self)
                ours = [e for e in events if e.stream == "messages-" + project]
                self.assertEqual(len(events), len(set(e.global_seq for e in events)), "never one twice")
                self.assertEqual([e.global_seq for e in ours], [p.first_global_seq for p in posted])
                self.assertTrue(all(e.type == "message.posted" for e in events))
                self.assertGreaterEqual(subscription.reconnects, 1, "the cuts were noticed and waited out")
        finally:
            proxy.close()

    def test_polls_and_filters_here_on_a_server_without_the_long_poll(self):
        with indelible.Client(self.client.url, token()) as old:
            real_call = old._transport.call

            def before_long_polls(method, path, *args, **kwargs):  # as the server answered before fd3cad9
                if path.startswith("/events?") and "wait=" in path:
                    raise indelible.InvalidArgument("invalid_argument", "is not a parameter of GET /events", "wait",
                                                    status=400)
                return real_call(method, path, *args, **kwargs)

            old._transport.call = before_long_polls
            user = user_id()
            start = self.head()
            subscription = old.subscribe(from_seq=start, stream_prefix=f"selfies-user-{user}",
                                         types=["selfie.*"], poll_interval=0.05)
            collector = Collector(subscription, 30)
            appended = self.append_selfies(self.client, [user], [f"p{i}" for i in range(30)])
            self.client.messages.post(unique("m"), unique("p"), "c", "u", NOW)  # another type: left out
            events = collector.finish(self)
            self.assertFalse(subscription.long_poll, "fell back to polling")
            self.assertEqual([e.global_seq for e in events], [a.first_global_seq for a in appended])

    def test_close_ends_a_held_long_poll_at_once(self):
        subscription = self.client.subscribe(from_seq=self.head(), stream_prefix=unique("nothing-"), wait=30)
        collector = Collector(subscription, 1)
        time.sleep(0.5)  # the poll is held by the server now
        self.assertTrue(subscription.long_poll)
        closed = time.monotonic()
        subscription.close()
        self.assertTrue(collector.done.wait(5), "the iteration ended")
        self.assertLess(time.monotonic() - closed, 2.0)
        self.assertEqual((collector.events, collector.error), ([], None))

    def test_resumes_over_several_partitions_from_the_positions_it_was_given(self):
        with indelible.Client(partitioned_url(), token()) as c:
            prefix = unique("parts-")
            start = c.read(0, 1).head
            self.assertIsInstance(start, str, "positions over 3 partitions are text")
            streams = [f"{prefix}-{p}" for p in range(3)]  # partition p holds stream ...-p
            for n in range(9):
                c.append(streams[n % 3], {"type": "part.added", "data": {"n": n}})
            first = Collector(c.subscribe(start, stream_prefix=prefix), 4).finish(self)
            self.assertEqual(4, len(first))
            self.assertTrue(all(e.partition == int(e.stream[-1]) for e in first), first)
            resumed_at = first[-1].next
            for n in range(9, 12):
                c.append(streams[n % 3], {"type": "part.added", "data": {"n": n}})
            rest = Collector(c.subscribe(resumed_at, stream_prefix=prefix), 8).finish(self)
            self.assertEqual(list(range(12)), sorted(e.data["n"] for e in first + rest), "each event once")
            for p in range(3):  # each partition in its order
                mine = [e.data["n"] for e in first + rest if e.partition == p]
                self.assertEqual(sorted(mine), mine)
            page = c.read(resumed_at, 1000)
            self.assertEqual(8, len([e for e in page.events if e.stream.startswith(prefix)]))
            with self.assertRaises(indelible.InvalidArgument) as refused:
                c.read("1,2", 10)
            self.assertEqual("from", refused.exception.field)
