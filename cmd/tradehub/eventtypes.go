package main

import "slices"

// eventTypes is the catalogue of event types that webhook subscriptions may ask for: every type
// the wired domains record in the events feed. webhooks.EventSubscriptionDisabled is added by the
// webhooks service itself. The README's webhooks section lists the same types.
//
// The domains write their types as literals next to the change they report, so the list is kept
// here, where the domains are wired; the end-to-end tests (checkCatalogued) fail when a flow
// records a type missing from it. A domain wired later adds its types here in the same change.
func eventTypes() []string {
	types := []string{
		// Warehousing: the catalogue and inbound goods.
		"sku.created",             // a SKU was added
		"sku.updated",             // a SKU's details changed
		"receipt.created",         // an inbound receipt (ASN) was announced
		"receipt.received",        // goods arrived for a receipt
		"receipt.discrepancy",     // what arrived differs from what was announced (over, short, damaged)
		"receipt.status_changed",  // RECEIVED → PUT_AWAY, EXPECTED → CANCELED…
		"transfer.created",        // stock left for another warehouse
		"transfer.status_changed", // a transfer arrived
		"return.created",          // a return (RMA) was authorized
		"return.status_changed",   // a return was received, restocked or written off
		"order.status_changed",    // a fulfilment order was reserved, picked, packed, shipped, delivered or cancelled
		"inventory.received",      // units reached the dock (awaiting putaway)
		"inventory.put_away",      // units became available
		"inventory.reserved",      // units were reserved for an order
		"inventory.released",      // a reservation was released
		"inventory.picked",        // units were picked for an order
		"inventory.shipped",       // units left the warehouse
		"inventory.transferred",   // units moved between warehouses
		"inventory.returned",      // returned units came back
		"inventory.adjusted",      // an adjustment, a cycle count or damage changed on-hand units
		"inventory.low_stock",     // available units fell below a reorder point
		// Procurement: purchase orders.
		"purchase_order.issued",         // an award issued a purchase order to a supplier
		"purchase_order.status_changed", // confirmed, shipped, (partly) received, closed or cancelled
		"inventory.pledged",             // units were pledged to a lender as collateral
		"inventory.unpledged",           // pledged units were released
		// Transport (recorded since the demo books a shipment for financing).
		"shipment.booked",           // a shipment was booked
		"shipment.status_changed",   // a shipment moved to another status
		"shipment.tracking_updated", // a tracking event arrived without changing the status
		"shipment.reweighed",        // the carrier measured another weight and the price changed
		"shipment.complaint_filed",  // the seller filed a complaint
		// Financing: requests decided and loans as they run (docs/FINANCING.md).
		"financing.request_info_requested", // the partner asked the seller a question
		"financing.request_submitted",      // the seller answered: the request waits for the partner again
		"financing.request_approved",       // the partner approved (possibly for less or another rate)
		"financing.request_rejected",       // the partner rejected, with a reason
		"financing.request_funding",        // funding started
		"financing.request_funded",         // the request became a loan
		"financing.loan_funded",            // a loan was funded: the facility drawn, the collateral pledged
		"financing.loan_at_risk",           // a pledged shipment is in EXCEPTION, CUSTOMS_HOLD or LOST
		"financing.loan_back_on_track",     // the shipment moved on
		"financing.loan_due_date_changed",  // delivery of a pledged shipment brought the due date forward
		"financing.loan_overdue",           // past its due date, with the late fee
		"financing.loan_payment_received",  // a repayment was recorded
		"financing.loan_repaid",            // paid in full
		"financing.loan_defaulted",         // marked defaulted by the partner
		"financing.loan_written_off",       // written off by the partner
		"financing.collateral_released",    // the loan's collateral is free again
	}
	slices.Sort(types)
	return types
}
