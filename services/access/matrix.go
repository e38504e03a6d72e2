package access

import (
	"fmt"
	"sort"
	"strings"
)

// Role is a role in a domain. Account roles are held in an account; staff roles in the platform
// domain (or, for account managers, in each assigned account); partner roles in a partner.
type Role string

const (
	Owner    Role = "OWNER"
	Admin    Role = "ADMIN"
	Operator Role = "OPERATOR"
	Finance  Role = "FINANCE"
	Viewer   Role = "VIEWER"

	PlatformAdmin Role = "PLATFORM_ADMIN"
	// AccountManager is held in each account assigned to the staff member.
	AccountManager Role = "ACCOUNT_MANAGER"
	// StaffAccountManager is held in the platform domain by every account manager: it marks the
	// user as staff and grants platform-level reads only, never an account's data.
	StaffAccountManager Role = "STAFF_ACCOUNT_MANAGER"

	PartnerAdmin   Role = "PARTNER_ADMIN"
	PartnerAnalyst Role = "PARTNER_ANALYST"

	// SupplierUser is held in a supplier's domain; procurement shows such users only the RFQs
	// their supplier is invited to.
	SupplierUser Role = "SUPPLIER"
)

// AccountRoles are the roles a seller account's members and API keys can have.
var AccountRoles = []Role{Owner, Admin, Operator, Finance, Viewer}

// Resource is what a permission is about.
type Resource string

// Action is what is done to a resource.
type Action string

const (
	Read  Action = "read"
	Write Action = "write"
)

// Resources. Each domain issue adds its own, with its cells in the matrix below.
const (
	// In an account's domain.
	AccountProfile  Resource = "account"         // the account's details
	Team            Resource = "team"            // memberships and invitations
	TeamOwners      Resource = "team_owners"     // granting or taking the OWNER role
	APIKeys         Resource = "api_keys"        // API keys
	AuditLog        Resource = "audit_log"       // the audit log
	PartnerConsents Resource = "partner_consent" // which partners see financing data

	// In the platform domain.
	Accounts        Resource = "accounts"         // creating accounts, changing their status
	AccountManagers Resource = "account_managers" // assigning staff to accounts
	Partners        Resource = "partners"         // finance partner organisations

	// In a partner's domain.
	PartnerTeam Resource = "partner_team" // the partner's people

	// Warehousing, in an account's domain. Partners get none of these: financing reads
	// inventory through the warehousing service's own interface, never through a role.
	SKUs                 Resource = "skus"                   // the account's product catalogue
	Inventory            Resource = "inventory"              // balances, movements, adjustments, cycle counts, valuation
	InventoryAdjustLarge Resource = "inventory_adjust_large" // adjustments and counts beyond the threshold
	Receipts             Resource = "receipts"               // inbound receipts (ASNs), receiving, putaway
	Orders               Resource = "orders"                 // fulfilment orders and their status
	Transfers            Resource = "transfers"              // stock moved between warehouses
	Returns              Resource = "returns"                // return authorizations (RMAs)
	Usage                Resource = "usage"                  // billable storage and handling usage

	// Warehousing, in the platform domain.
	Warehouses Resource = "warehouses" // the 3PL's warehouses (reading them needs only a sign-in)

	// Integrations, in an account's domain. Partners get neither: they are the seller's own
	// platforms' way in.
	Webhooks Resource = "webhooks" // webhook subscriptions, their delivery logs and payloads (webhooks.Resource)
	Events   Resource = "events"   // the account's events feed

	// Transport, in an account's domain (the same strings as transport.Res*).
	Shipments      Resource = "shipments"       // shipments: list, view, subscribe, book, complain
	Quotes         Resource = "quotes"          // quotes: ask for them, view one
	TrackingEvents Resource = "tracking_events" // tracking events recorded by staff

	// Transport, in the platform domain. Carriers and scorecards need only a sign-in to read.
	Carriers     Resource = "carriers"      // carriers and their webhook secrets
	RateCards    Resource = "rate_cards"    // rate cards and their CSV import
	CustomsRules Resource = "customs_rules" // duty and tax rules per destination

	// Bulk exports, in an account's domain. The exported query runs with the caller's own
	// permissions, so these decide only who may run, see and download exports.
	BulkExports Resource = "bulk_exports"

	// Operations, in the platform domain.
	CostLimits Resource = "cost_limits" // an account's own query-cost bucket (reading it needs read access to the account)
	// Procurement. Suppliers, RFQs, quotes and purchase orders live in the buying account's
	// domain; a supplier user holds SUPPLIER in its supplier's domain (sup_…), and the
	// procurement service shows it only what its supplier is invited to or was awarded.
	Suppliers      Resource = "suppliers"       // the account's suppliers (platform-curated ones: platform domain)
	RFQs           Resource = "rfqs"            // requests for quotation
	SupplierQuotes Resource = "supplier_quotes" // suppliers' quotes and their landed-cost comparison
	PurchaseOrders Resource = "purchase_orders" // purchase orders and their receiving
	FXRates        Resource = "fx_rates"        // exchange rates for comparisons (reading them needs only a sign-in)
	// Financing (the same strings as financing.Res*). Products, the queue and the portfolio are
	// in a partner's domain; the rest in an account's, where partner roles reach only through
	// the account's consent.
	FinancingProducts  Resource = "financing_products"  // a partner's products, its queue and portfolio
	Financing          Resource = "financing"           // facilities, collateral, requests, loans, statements
	FinancingRequests  Resource = "financing_requests"  // asking for financing
	FinancingDecisions Resource = "financing_decisions" // facilities, approve, reject, ask, fund, default, write off, release
	LoanPayments       Resource = "loan_payments"       // recording repayments
	// Billing. Price books: the default book and tax rates in the platform domain, a contract
	// book in its account's domain. Partners get none of these.
	PriceBooks Resource = "price_books" // rates (and, in the platform domain, tax rates)
	Invoices   Resource = "invoices"    // invoices, statements, documents; write: runs, drafts, finalize, payments, credit notes, ad-hoc charges
	InvoicePay Resource = "invoice_pay" // the pay link, and invoicing a loan repayment
)

// DomainPlatform is the domain of platform-wide resources and staff roles.
const DomainPlatform = "platform"

// Grant is one row of the permission matrix: who may do an action on a resource.
type Grant struct {
	Resource Resource
	Action   Action
	Roles    []Role
	// Why explains the row for the rendered docs.
	Why string
}

var (
	seller      = []Role{Owner, Admin, Operator, Finance, Viewer}
	staff       = []Role{AccountManager, PlatformAdmin}
	sellerAdmin = []Role{Owner, Admin}
	// warehouseWork is who does warehouse work for an account: its operators and admins, and
	// the staff who act on its behalf.
	warehouseWork = []Role{Owner, Admin, Operator, AccountManager, PlatformAdmin}
	// buyers are who buy for an account: the same people as warehouse work.
	buyers = warehouseWork
)

func roles(groups ...[]Role) []Role {
	var out []Role
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// Matrix is the permission matrix: the one place where roles meet resources. The service syncs
// it into casbin's policy at start-up, docs/PERMISSIONS.md is rendered from it (a test keeps the
// two equal), and the GraphQL matrix test walks every cell.
func Matrix() []Grant {
	return []Grant{
		{AccountProfile, Read, roles(seller, staff), "everyone in the account and its staff"},
		{AccountProfile, Write, roles(sellerAdmin, staff), "details such as the legal name and billing email"},
		{Team, Read, roles(sellerAdmin, staff), "members and pending invitations"},
		{Team, Write, roles(sellerAdmin, staff), "invite, change roles below OWNER, remove"},
		{TeamOwners, Write, []Role{Owner, PlatformAdmin}, "only an OWNER makes or unmakes an OWNER"},
		{APIKeys, Read, roles(sellerAdmin, staff), "keys are credentials: admins only"},
		{APIKeys, Write, roles(sellerAdmin, []Role{PlatformAdmin}), "account managers do not mint credentials for a seller"},
		{AuditLog, Read, roles(sellerAdmin, staff), ""},
		{PartnerConsents, Read, roles([]Role{Owner, Admin, Finance}, staff), ""},
		{PartnerConsents, Write, []Role{Owner, Finance}, "the seller alone decides who sees its financing data"},
		{Accounts, Write, []Role{PlatformAdmin}, "create accounts and change their status"},
		{AccountManagers, Write, []Role{PlatformAdmin}, "assign account managers"},
		{Partners, Read, []Role{PlatformAdmin, StaffAccountManager}, ""},
		{Partners, Write, []Role{PlatformAdmin}, "onboard finance partners"},
		{PartnerTeam, Read, []Role{PartnerAdmin, PartnerAnalyst, PlatformAdmin}, ""},
		{PartnerTeam, Write, []Role{PartnerAdmin, PlatformAdmin}, ""},
		{SKUs, Read, roles(seller, staff), ""},
		{SKUs, Write, warehouseWork, "create and edit SKUs"},
		{Inventory, Read, roles(seller, staff), "balances, movements and valuation"},
		{Inventory, Write, warehouseWork, "adjustments and cycle counts up to the threshold"},
		{InventoryAdjustLarge, Write, []Role{Owner, Admin, PlatformAdmin}, "adjustments and counts that change more units than the threshold"},
		{Receipts, Read, roles(seller, staff), ""},
		{Receipts, Write, warehouseWork, "announce, receive and put away inbound goods"},
		{Orders, Read, roles(seller, staff), ""},
		{Orders, Write, warehouseWork, "create, pick, pack, ship and cancel fulfilment orders"},
		{Transfers, Read, roles(seller, staff), ""},
		{Transfers, Write, warehouseWork, "move stock between warehouses"},
		{Returns, Read, roles(seller, staff), ""},
		{Returns, Write, warehouseWork, "announce, receive and restock or write off returns"},
		{Usage, Read, roles(seller, staff), "billable storage and handling usage"},
		{Warehouses, Write, []Role{PlatformAdmin}, "create and edit warehouses, run the storage snapshot"},
		{Webhooks, Read, roles(sellerAdmin, staff), "subscriptions, delivery logs and the payloads sent"},
		{Webhooks, Write, sellerAdmin, "register, change, pause, rotate the secret of, delete and redeliver; a webhook is a credential-like integration the seller sets up"},
		{Events, Read, roles(seller, staff), "the events feed, for reconciliation"},
		{Shipments, Read, roles(seller, staff), "shipments, their tracking, documents and live updates"},
		{Shipments, Write, warehouseWork, "book shipments and file complaints"},
		{Quotes, Read, roles(seller, staff), ""},
		{Quotes, Write, warehouseWork, "ask for shipping quotes"},
		{TrackingEvents, Write, staff, "record a tracking event by hand (a call with the carrier, a correction)"},
		{Carriers, Write, []Role{PlatformAdmin}, "create carriers and rotate their webhook secrets"},
		{RateCards, Read, []Role{PlatformAdmin, StaffAccountManager}, "the carriers' buying prices: staff only"},
		{RateCards, Write, []Role{PlatformAdmin}, "create, edit, delete and import rate cards"},
		{CustomsRules, Read, []Role{PlatformAdmin, StaffAccountManager}, ""},
		{CustomsRules, Write, []Role{PlatformAdmin}, "de minimis, duty and VAT rules per destination"},
		{CostLimits, Write, []Role{PlatformAdmin}, "give an account a query-cost bucket of its own"},
		{BulkExports, Read, roles(seller, staff), "bulk exports and their files (whose contents the exporter's own permissions decided)"},
		{BulkExports, Write, []Role{Owner, Admin, Operator, Finance, AccountManager, PlatformAdmin}, "run and cancel bulk exports"},
		{Suppliers, Read, roles(seller, staff, []Role{SupplierUser}), "a supplier user reads its own supplier's profile"},
		{Suppliers, Write, buyers, "add and edit the account's suppliers; platform-curated ones: platform admins"},
		{RFQs, Read, roles(seller, staff, []Role{SupplierUser}), "a supplier user sees only the RFQs its supplier is invited to, and target prices only when shown"},
		{RFQs, Write, buyers, "create, send, close, cancel and award RFQs, compare quotes"},
		{SupplierQuotes, Read, roles(seller, staff, []Role{SupplierUser}), "a supplier user sees only its own quote"},
		{SupplierQuotes, Write, []Role{SupplierUser, AccountManager, PlatformAdmin}, "the supplier quotes, or an account manager on its behalf"},
		{PurchaseOrders, Read, roles(seller, staff, []Role{SupplierUser}), "a supplier user sees only its own purchase orders"},
		{PurchaseOrders, Write, roles(buyers, []Role{SupplierUser}), "amend, cancel, close; the supplier confirms and ships"},
		{FXRates, Write, []Role{PlatformAdmin}, "exchange rates with their effective time"},
		{FinancingProducts, Read, []Role{PartnerAdmin, PartnerAnalyst, PlatformAdmin}, "a partner's products, queue and portfolio"},
		{FinancingProducts, Write, []Role{PartnerAdmin}, "the partner alone sets its lending terms"},
		{Financing, Read, roles(seller, staff, []Role{PartnerAdmin, PartnerAnalyst}), "partners only in accounts that consented, and only their own facilities, requests and loans"},
		{FinancingRequests, Write, []Role{Owner, Finance}, "ask for financing against the account's goods"},
		{FinancingDecisions, Write, []Role{PartnerAdmin}, "the lender decides: facilities, approve, reject, ask, fund, default, write off, release collateral"},
		{LoanPayments, Write, []Role{PartnerAdmin, AccountManager, PlatformAdmin}, "record a repayment received outside Stripe"},
		{PriceBooks, Read, []Role{AccountManager, PlatformAdmin, StaffAccountManager}, "rates: staff only (a contract book in its account, the default book and tax rates platform-wide)"},
		{PriceBooks, Write, []Role{AccountManager, PlatformAdmin}, "account managers set their accounts' contract rates; the default book and tax rates are the platform admin's"},
		{Invoices, Read, roles(seller, staff), "invoices, statements, PDFs and CSVs"},
		{Invoices, Write, staff, "run the month, review and recalculate drafts, ad-hoc charges and credits, finalize, record payments, credit notes, void"},
		{InvoicePay, Write, []Role{Owner, Finance, AccountManager, PlatformAdmin}, "see the pay link and invoice a loan repayment: the people who pay"},
	}
}

// policies turns the matrix into casbin p rules (role, resource, action), sorted.
func policies() [][]string {
	var out [][]string
	for _, g := range Matrix() {
		for _, r := range g.Roles {
			out = append(out, []string{string(r), string(g.Resource), string(g.Action)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.Join(out[i], "\x00") < strings.Join(out[j], "\x00") })
	return out
}

// Allowed reports whether the matrix gives role the action on the resource (for tests and docs).
func Allowed(role Role, res Resource, act Action) bool {
	for _, g := range Matrix() {
		if g.Resource == res && g.Action == act {
			for _, r := range g.Roles {
				if r == role {
					return true
				}
			}
		}
	}
	return false
}

// MatrixMarkdown renders the matrix for docs/PERMISSIONS.md.
func MatrixMarkdown() string {
	cols := []Role{Owner, Admin, Operator, Finance, Viewer, AccountManager, PlatformAdmin, StaffAccountManager, PartnerAdmin, PartnerAnalyst, SupplierUser}
	var b strings.Builder
	b.WriteString("# Permissions\n\n")
	b.WriteString("Generated from `services/access/matrix.go` by `go test ./services/access -update`; do not edit by hand.\n\n")
	b.WriteString("Account roles (OWNER … VIEWER) and ACCOUNT_MANAGER apply in the accounts where they are held;\n")
	b.WriteString("PLATFORM_ADMIN applies everywhere; STAFF_ACCOUNT_MANAGER is every account manager's platform-wide\n")
	b.WriteString("role; partner roles apply in their partner and, for financing, in the accounts that consented.\n")
	b.WriteString("A caller who may not read a resource of an account gets NOT_FOUND, never FORBIDDEN, so that\n")
	b.WriteString("existence does not leak; one who may read but not write gets FORBIDDEN.\n\n")
	b.WriteString("| resource | action |")
	for _, c := range cols {
		b.WriteString(" " + string(c) + " |")
	}
	b.WriteString(" notes |\n|---|---|")
	for range cols {
		b.WriteString(":-:|")
	}
	b.WriteString("---|\n")
	for _, g := range Matrix() {
		fmt.Fprintf(&b, "| %s | %s |", g.Resource, g.Action)
		for _, c := range cols {
			mark := " "
			if Allowed(c, g.Resource, g.Action) {
				mark = "✓"
			}
			b.WriteString(" " + mark + " |")
		}
		b.WriteString(" " + g.Why + " |\n")
	}
	return b.String()
}
