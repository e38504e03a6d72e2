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
		// Transport: shipments.
		"shipment.booked",           // a quote was booked as a shipment
		"shipment.status_changed",   // a tracking event moved the shipment to another status
		"shipment.tracking_updated", // a tracking event that kept the status
		"shipment.delivered",        // the shipment was delivered
		"shipment.reweighed",        // the carrier's weight differs from the booked one: a charge adjustment
		"shipment.complaint_filed",  // the seller filed a complaint
		// Financing: pledged stock and loans.
		"inventory.pledged",               // units were pledged to a lender as collateral
		"inventory.unpledged",             // pledged units were released
		"financing.loan_funded",           // a partner funded a loan
		"financing.loan_due_date_changed", // delivery of a pledged shipment brought the due date forward
		"financing.loan_at_risk",          // pledged collateral went to EXCEPTION, CUSTOMS_HOLD or LOST, or was written off
		"financing.loan_back_on_track",    // the collateral recovered
		"financing.loan_overdue",          // the loan is past due; the late fee was charged
		"financing.loan_payment_received", // a payment was applied
		"financing.loan_repaid",           // the loan is repaid
		"financing.collateral_released",   // the partner released collateral
		"financing.loan_defaulted",        // the partner marked the loan defaulted
		"financing.loan_written_off",      // the partner wrote the loan off
	}
	slices.Sort(types)
	return types
}
