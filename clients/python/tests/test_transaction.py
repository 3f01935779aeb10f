"""Transactions: several streams all or nothing, a retry answered as a duplicate, a refused part named."""
import indelible
from tests.support import ServerTestCase, unique


class TransactionTest(ServerTestCase):
    def test_a_transaction_commits_whole_answers_its_retry_and_names_a_refused_part(self):
        order, stock, closed = unique("orders-"), unique("stock-"), unique("closed-")
        parts = [{"stream": order, "expected_version": "new", "events": [{"type": "order.placed", "data": {"n": 1}}]},
                 {"stream": stock, "expected_version": "new", "events": [{"type": "stock.reserved", "data": {"n": 1}},
                                                                         {"type": "stock.reserved", "data": {"n": 2}}]}]
        conditions = [{"stream": closed, "expected_version": "new"}]
        first = self.client.append_transaction(parts, conditions)
        self.assertIsInstance(first, indelible.Committed)
        self.assertEqual([(p.stream, p.count, p.first_stream_version) for p in first.parts], [(order, 1, 0), (stock, 2, 0)])
        self.assertEqual(first.last_global_seq - first.first_global_seq, 2)
        self.assertFalse(first.duplicate)

        retry = self.client.append_transaction(parts, conditions)  # the same dicts: the same event ids
        self.assertTrue(retry.duplicate)
        self.assertEqual((retry.first_global_seq, retry.last_global_seq), (first.first_global_seq, first.last_global_seq))

        other = unique("orders-")
        with self.assertRaises(indelible.WrongExpectedVersion) as caught:
            self.client.append_transaction(
                [{"stream": other, "events": [{"type": "order.placed", "data": {}}]},
                 {"stream": stock, "expected_version": "new", "events": [{"type": "stock.reserved", "data": {}}]}])
        e = caught.exception
        self.assertEqual((e.status, e.field, e.part, e.condition, e.stream, e.actual_version),
                         (409, "parts[1].expected_version", 1, None, stock, 1))
        self.assertEqual(e.message, f"parts[1]: stream {stock} must not exist; it is at version 1")
        self.assertEqual(self.client.read_stream(other), [], "nothing of parts[0] was written")

        with self.assertRaises(indelible.WrongExpectedVersion) as caught:
            self.client.append_transaction([{"stream": other, "events": [{"type": "order.placed", "data": {}}]}],
                                           [{"stream": order, "expected_version": "new"}])
        self.assertEqual((caught.exception.field, caught.exception.condition), ("conditions[0].expected_version", 0))
        with self.assertRaises(indelible.InvalidEvent) as caught:
            self.client.append_transaction([{"stream": other, "events": [{"type": "order.placed", "data": {}}]},
                                            {"stream": unique("x-"), "events": [{"type": "x", "data": {}}]}],
                                           [{"stream": other, "expected_version": "new"}])
        self.assertEqual(caught.exception.field, "conditions[0].stream")
        self.assertEqual(self.client.read_stream(other), [])
