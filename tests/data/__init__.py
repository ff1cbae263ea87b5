"""Test data and builders for the beta and public catalog tests."""
