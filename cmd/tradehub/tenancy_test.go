package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tradehub/tradehub/internal/ids"
)

// idTakingFields lists every Query and Mutation field of the schema that takes an id, directly
// or inside its input, so that a new one cannot be added without a tenancy case below.
func idTakingFields(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../schema/*.graphqls")
	if err != nil || len(files) == 0 {
		t.Fatalf("schema files: %v", err)
	}
	var sources []*ast.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, &ast.Source{Name: f, Input: string(b)})
	}
	schema, gerr := gqlparser.LoadSchema(sources...)
	if gerr != nil {
		t.Fatal(gerr)
	}
	var takesID func(tp *ast.Type, seen map[string]bool) bool
	takesID = func(tp *ast.Type, seen map[string]bool) bool {
		if tp.Elem != nil {
			return takesID(tp.Elem, seen)
		}
		if tp.NamedType == "ID" {
			return true
		}
		def := schema.Types[tp.NamedType]
		if def == nil || def.Kind != ast.InputObject || seen[def.Name] {
			return false
		}
		seen[def.Name] = true
		for _, f := range def.Fields {
			if takesID(f.Type, seen) {
				return true
			}
		}
		return false
	}
	var out []string
	for _, root := range []*ast.Definition{schema.Query, schema.Mutation} {
		for _, f := range root.Fields {
			if len(f.Name) > 1 && f.Name[:2] == "__" {
				continue
			}
			for _, a := range f.Arguments {
				if takesID(a.Type, map[string]bool{}) {
					out = append(out, root.Name+"."+f.Name)
					break
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// tenancyCase is one id-taking field called by Brightlight's owner with an id of another
// tenant. vars builds the variables from the foreign id set, or from ids that exist nowhere.
type tenancyCase struct {
	query string
	vars  func(f foreignIDs) map[string]any
}

// foreignIDs are objects of Kessler Outdoor (another tenant) and of a partner Brightlight has
// not consented to; missingIDs() has the same shape with well-formed ids that exist nowhere.
type foreignIDs struct {
	account, user, invitation, apiKey, partner string
}

func missingIDs() foreignIDs {
	return foreignIDs{account: ids.New(ids.Account), user: ids.New(ids.User), invitation: ids.New(ids.Invitation),
		apiKey: ids.New(ids.APIKey), partner: ids.New(ids.Partner)}
}

var tenancyCases = map[string]tenancyCase{
	"Query.node": {`query($id: ID!) { node(id: $id) { id } }`, func(f foreignIDs) map[string]any { return map[string]any{"id": f.account} }},
	"Query.nodes": {`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, func(f foreignIDs) map[string]any {
		return map[string]any{"ids": []string{f.account, f.apiKey, f.user, f.invitation}}
	}},
	"Query.account": {`query($id: ID!) { account(id: $id) { id } }`, func(f foreignIDs) map[string]any { return map[string]any{"id": f.account} }},
	"Query.partner": {`query($id: ID!) { partner(id: $id) { id } }`, func(f foreignIDs) map[string]any { return map[string]any{"id": f.partner} }},
	"Query.auditLog": {`query($id: ID!) { auditLog(accountId: $id) { nodes { action } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.account} }},
	"Mutation.updateAccount": {`mutation($id: ID!) { updateAccount(input: {accountId: $id, legalName: "Taken Over"}) { account { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.account} }},
	"Mutation.setAccountStatus": {`mutation($id: ID!) { setAccountStatus(input: {accountId: $id, status: SUSPENDED, reason: "x"}) { account { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.account} }},
	"Mutation.assignAccountManager": {`mutation($a: ID!, $u: ID!) { assignAccountManager(input: {accountId: $a, userId: $u}) { account { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account, "u": f.user} }},
	"Mutation.unassignAccountManager": {`mutation($a: ID!, $u: ID!) { unassignAccountManager(input: {accountId: $a, userId: $u}) { account { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account, "u": f.user} }},
	"Mutation.inviteAccountMember": {`mutation($id: ID!) { inviteAccountMember(input: {accountId: $id, email: "mole@brightlight.test", role: ADMIN}) { invitation { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.account} }},
	"Mutation.invitePartnerMember": {`mutation($id: ID!) { invitePartnerMember(input: {partnerId: $id, email: "mole@brightlight.test", role: PARTNER_ADMIN}) { invitation { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.partner} }},
	"Mutation.revokeInvitation": {`mutation($id: ID!) { revokeInvitation(input: {invitationId: $id}) { invitation { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.invitation} }},
	"Mutation.changeMemberRole": {`mutation($a: ID!, $u: ID!) { changeMemberRole(input: {accountId: $a, userId: $u, role: VIEWER}) { membership { role } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account, "u": f.user} }},
	"Mutation.removeMember": {`mutation($a: ID!, $u: ID!) { removeMember(input: {accountId: $a, userId: $u}) { removedUserId userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account, "u": f.user} }},
	"Mutation.grantPartnerConsent": {`mutation($a: ID!, $p: ID!) { grantPartnerConsent(input: {accountId: $a, partnerId: $p}) { account { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account, "p": f.partner} }},
	"Mutation.revokePartnerConsent": {`mutation($a: ID!, $p: ID!) { revokePartnerConsent(input: {accountId: $a, partnerId: $p}) { account { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"a": f.account, "p": f.partner} }},
	"Mutation.createApiKey": {`mutation($id: ID!) { createApiKey(input: {accountId: $id, name: "mole", role: ADMIN}) { apiKey { id } secret userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.account} }},
	"Mutation.revokeApiKey": {`mutation($id: ID!) { revokeApiKey(input: {apiKeyId: $id}) { apiKey { id } userErrors { code field } } }`,
		func(f foreignIDs) map[string]any { return map[string]any{"id": f.apiKey} }},
}

var requestIDField = regexp.MustCompile(`"requestId":"[^"]*"`)

// costExtension is the caller's throttle status, which moves between any two requests.
var costExtension = regexp.MustCompile(`,?"extensions":\{"cost":\{[^{}]*"throttleStatus":\{[^{}]*\}\}\}`)

func comparable(raw []byte) []byte {
	return costExtension.ReplaceAll(requestIDField.ReplaceAll(raw, nil), nil)
}

// No id-taking field lets Brightlight's owner read or change another tenant's data, and a
// foreign id answers byte for byte like an id that exists nowhere.
func TestForeignIDsAnswerLikeMissingOnes(t *testing.T) {
	a, base := demoApp(t)
	w := loadWorld(t, base)

	kessler := signIn(t, base, "owner@kessler-outdoor.test")
	r := kessler.do(`mutation($id: ID!) { inviteAccountMember(input: {accountId: $id, email: "temp@kessler-outdoor.test", role: VIEWER}) { invitation { id } } }`, map[string]any{"id": w.kessler})
	inv := r.str("inviteAccountMember", "invitation", "id")
	r = kessler.do(`mutation($id: ID!) { createApiKey(input: {accountId: $id, name: "shop", role: OPERATOR}) { apiKey { id } } }`, map[string]any{"id": w.kessler})
	key := r.str("createApiKey", "apiKey", "id")
	foreign := foreignIDs{account: w.kessler, user: w.kesslerOwner, invitation: inv, apiKey: key, partner: w.otherPartner}
	if inv == "" || key == "" {
		t.Fatalf("foreign fixtures: invitation %q key %q", inv, key)
	}

	owner := signIn(t, base, "owner@brightlight.test")
	fields := idTakingFields(t)
	attempts, succeeded := 0, 0
	for _, field := range fields {
		c, ok := tenancyCases[field]
		if !ok {
			t.Errorf("%s takes an id but has no tenancy case: add one to tenancyCases", field)
			continue
		}
		before := snapshot(t, a)
		got := owner.do(c.query, c.vars(foreign))
		after := snapshot(t, a)
		attempts++
		if before != after {
			succeeded++
			t.Errorf("%s with a foreign id changed the store", field)
		}
		missing := owner.do(c.query, c.vars(missingIDs()))
		if testing.Verbose() {
			t.Logf("%s: %s", field, comparable(got.Raw))
		}
		g := comparable(got.Raw)
		m := comparable(missing.Raw)
		if !bytes.Equal(g, m) || got.Status != missing.Status {
			succeeded++
			t.Errorf("%s: a foreign id answers differently from a missing one:\n foreign %d %s\n missing %d %s", field, got.Status, g, missing.Status, m)
		}
	}
	t.Logf("tenancy: %d id-taking fields, %d attempts, %d succeeded", len(fields), attempts, succeeded)
}
