// Package singleimport has one unparenthesised import.
package singleimport

import "console"

func Print() {
	console.Println("AKIA4ZDMEN2KHVDGAJ8G") // want `rule aws-access-key-id`
}
