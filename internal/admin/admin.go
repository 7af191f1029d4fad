// Package admin is the CA's management core: the queries and changes an
// operator makes, whatever the front end (the `stride ca` offline commands
// today, the admin API and web console later, which only render what it
// returns). It knows nothing of HTTP or terminals; invalid input is a
// caerr.BadRequest, a missing record a caerr.NotFound.
package admin
