"""huggingface_hub's errors told as one sentence the user can act on (a ``UserError``).

Shared by ``llmzero.interop.hub`` (model repositories, `llmzero download`) and
``llmzero.dataprep.fetch`` (dataset repositories, `llmzero data fetch hf:...`).
"""

from __future__ import annotations

import sys

from llmzero.errors import UserError

# How each kind of repository is named in the messages, and where its page is on the hub.
NOUNS = {"model": ("repositório", "repository"), "dataset": ("dataset", "dataset")}
PAGES = {"model": "", "dataset": "datasets/"}


def network_error(exc: BaseException) -> bool:
    """A failed connection, in whichever HTTP library this huggingface_hub uses."""
    for name in ("httpx2", "httpx", "requests"):
        module = sys.modules.get(name)
        base = getattr(module, "TransportError", None) or getattr(module, "ConnectionError", None)
        if isinstance(base, type) and isinstance(exc, base):
            return True
    return isinstance(exc, (ConnectionError, TimeoutError))


def hub_error(
    exc: Exception,
    repo_type: str,
    repo_id: str,
    revision: str | None,
    endpoint: str,
    *,
    options: bool = False,
    cache: bool = False,
) -> UserError | None:
    """The UserError saying what went wrong in ``exc``, or None for an error that is not about the
    hub (a full disk...): the caller raises that one as it is.

    ``repo_type``: "model" or "dataset"; ``options``: the caller takes ``--token`` and
    ``--endpoint`` (the hints name them); ``cache``: the files come from huggingface_hub's cache,
    which stands in for the hub when it can.
    """
    from huggingface_hub import errors

    noun_pt, noun_en = NOUNS[repo_type]
    page = f"{endpoint}/{PAGES[repo_type]}{repo_id}"
    where = f"{repo_id}@{revision}" if revision else repo_id
    token_pt = "defina HF_TOKEN ou passe --token" if options else "defina HF_TOKEN"
    token_en = "set HF_TOKEN or pass --token" if options else "set HF_TOKEN"
    address_pt = "--endpoint ou HF_ENDPOINT" if options else "HF_ENDPOINT"
    address_en = "--endpoint or HF_ENDPOINT" if options else "HF_ENDPOINT"
    # huggingface_hub wraps what stopped it (no network, an HTTP error) when the cache cannot stand
    # in for the hub: look at that
    cause = exc
    while isinstance(cause, errors.LocalEntryNotFoundError) and cause.__cause__ is not None:
        cause = cause.__cause__
    if isinstance(cause, errors.GatedRepoError):
        return UserError(
            f"{repo_id} é restrito: aceite as condições em {page} e {token_pt} com um token da "
            "conta que aceitou.",
            f"{repo_id} is gated: accept its conditions at {page} and {token_en} with a token of "
            "the account that accepted them.",
        )
    if isinstance(cause, getattr(errors, "DisabledRepoError", ())):
        return UserError(
            f"o acesso a {repo_id} foi desativado no hub.",
            f"access to {repo_id} has been disabled on the hub.",
        )
    if isinstance(cause, errors.RepositoryNotFoundError):
        return UserError(
            f"o {noun_pt} {repo_id} não existe em {endpoint} (se for privado ou restrito, "
            f"{token_pt}).",
            f"the {noun_en} {repo_id} does not exist on {endpoint} (if it is private or gated, "
            f"{token_en}).",
        )
    if isinstance(cause, errors.RevisionNotFoundError):
        return UserError(
            f"a revisão {revision or 'main'} não existe em {repo_id} (use um ramo, uma tag ou um "
            f"commit do {noun_pt}).",
            f"the revision {revision or 'main'} does not exist in {repo_id} (use a branch, a tag "
            f"or a commit of the {noun_en}).",
        )
    if isinstance(cause, errors.HfHubHTTPError) and cause.response is not None:
        status = cause.response.status_code
        if status in (401, 403):
            return UserError(
                f"o hub recusou o acesso a {repo_id} (HTTP {status}): {token_pt} com um token "
                "que possa lê-lo.",
                f"the hub refused access to {repo_id} (HTTP {status}): {token_en} with a token "
                "that can read it.",
            )
        if status == 404:  # a 404 the hub would have explained with an X-Error-Code header
            return UserError(
                f"{endpoint} respondeu HTTP 404 para {where}, então talvez não seja um hub do "
                f"Hugging Face: confira {address_pt}.",
                f"{endpoint} answered HTTP 404 for {where}, so it may not be a Hugging Face hub: "
                f"check {address_en}.",
            )
        return UserError(
            f"o hub respondeu HTTP {status} ao baixar {where}; tente de novo mais tarde.",
            f"the hub answered HTTP {status} while downloading {where}; try again later.",
        )
    if isinstance(cause, getattr(errors, "FileMetadataError", ())):
        return UserError(
            f"{endpoint} não responde como um hub do Hugging Face (faltam cabeçalhos); confira "
            f"{address_pt}.",
            f"{endpoint} does not answer like a Hugging Face hub (headers are missing); check "
            f"{address_en}.",
        )
    if isinstance(cause, errors.OfflineModeIsEnabled):
        if cache:
            return UserError(
                f"{where} não está no cache e HF_HUB_OFFLINE proíbe baixá-lo.",
                f"{where} is not in the cache and HF_HUB_OFFLINE forbids downloading it.",
            )
        return UserError(
            f"HF_HUB_OFFLINE proíbe baixar {where}.", f"HF_HUB_OFFLINE forbids downloading {where}."
        )
    if network_error(cause) or isinstance(cause, errors.LocalEntryNotFoundError):
        detail = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
        missing_pt = f" e {where} não está completo no cache" if cache else ""
        missing_en = f" and {where} is not complete in the cache" if cache else ""
        return UserError(
            f"não consegui falar com {endpoint} ({detail}){missing_pt}; confira a rede e rode de "
            "novo.",
            f"could not reach {endpoint} ({detail}){missing_en}; check the network and run again.",
        )
    if isinstance(exc, OSError) and str(exc).startswith("Consistency check failed"):
        return UserError(
            f"um arquivo de {where} chegou com o tamanho errado (conexão instável?); nada foi "
            "guardado: rode de novo.",
            f"a file of {where} arrived with the wrong size (an unstable connection?); nothing "
            "was kept: run again.",
        )
    if type(exc).__name__ == "XetDownloadError":
        return UserError(
            f"o download de {where} pelo Xet falhou ({exc}); rode de novo.",
            f"the Xet download of {where} failed ({exc}); run again.",
        )
    return None
