from consult import secret_links


def test_tokens_are_long_random_and_url_safe():
    tokens = {secret_links.new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(secret_links.hash_if_well_formed(token) for token in tokens)


def test_anything_else_is_turned_away_before_any_lookup():
    token = secret_links.new_token()
    for candidate in ("", token[:-1], token + "A", token[:-1] + "/", token[:-1] + "\x00",
                      token[:-1] + "é", "../" + token[3:]):
        assert secret_links.hash_if_well_formed(candidate) is None, candidate


def test_the_hash_is_sha256_hex():
    assert secret_links.token_hash("A" * 43) == secret_links.hash_if_well_formed("A" * 43)
    assert len(secret_links.token_hash("A" * 43)) == 64
