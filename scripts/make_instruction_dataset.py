"""Build src/llmzero/datasets/instrucoes_ptbr.json (original pt-BR instructions, Alpaca format).

Two sources, both written for llmzero:
  * HANDWRITTEN: examples written one by one (text block below, parsed by `parse_handwritten`);
  * generated: stdlib templates filled with small fact tables typed by hand (capitals, plurals,
    unit conversions, arithmetic, ...). Deterministic: same output on every run.

Usage:  python scripts/make_instruction_dataset.py [--check]
  --check  only rebuild in memory and compare with the file on disk (exit 1 if different).
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from pathlib import Path

from llmzero.fileio import write_text_atomic

OUT = Path(__file__).resolve().parents[1] / "src" / "llmzero" / "datasets" / "instrucoes_ptbr.json"
SEED = 2024

# ---------------------------------------------------------------------------------------------
# Handwritten part. Format: "## category" starts a category; "I:" sets the instruction (kept for
# the following examples); "E:" (entrada) sets the input of the next example; "S:" (saída) emits
# one example with the current instruction, the pending input (or "") and this output.
# ---------------------------------------------------------------------------------------------
HANDWRITTEN = r"""
## registro formal
I: Reescreva a frase em registro formal.
E: Oi, tudo bem? Queria saber se dá pra mudar a data da reunião.
S: Olá, como vai? Gostaria de saber se é possível alterar a data da reunião.
E: A gente vai chegar atrasado amanhã.
S: Nós chegaremos atrasados amanhã.
E: Manda o relatório pra mim até sexta.
S: Por gentileza, envie-me o relatório até sexta-feira.
E: Não deu pra ir na aula ontem.
S: Não foi possível comparecer à aula ontem.
E: Tô sem grana pra pagar o boleto.
S: No momento, não disponho de recursos para pagar o boleto.
E: Valeu pela ajuda, cara!
S: Muito obrigado pela ajuda.
E: Vê se não esquece de trazer os documentos.
S: Por favor, não se esqueça de trazer os documentos.
E: O chefe ficou bravo com o atraso.
S: O superior ficou insatisfeito com o atraso.
E: Dá uma olhada no contrato quando puder.
S: Peço que analise o contrato assim que possível.
E: A loja tá fechada por causa da reforma.
S: A loja está fechada em razão da reforma.
E: Me avisa se precisar de alguma coisa.
S: Informe-me caso precise de algo.
E: Ele pegou o dinheiro emprestado e sumiu.
S: Ele tomou o dinheiro emprestado e desapareceu.
E: A festa foi muito massa.
S: A festa foi excelente.
E: Tem muita gente esperando na fila.
S: Há muitas pessoas aguardando na fila.
E: Vou dar um pulo no banco rapidinho.
S: Irei rapidamente ao banco.
E: Desculpa a demora pra responder.
S: Peço desculpas pela demora em responder.
E: O sistema caiu de novo.
S: O sistema ficou indisponível novamente.
E: Ninguém sabe direito o que aconteceu.
S: Ninguém sabe ao certo o que aconteceu.
I: Deixe a frase abaixo mais formal.
E: Preciso que você me ligue urgente.
S: Solicito que entre em contato comigo com urgência.
E: O pessoal do financeiro não respondeu ainda.
S: A equipe do setor financeiro ainda não respondeu.
E: Bora começar a reunião?
S: Podemos dar início à reunião?
E: A prova foi moleza.
S: A prova foi bastante fácil.
E: Ele tá doente e não vem hoje.
S: Ele está doente e não comparecerá hoje.
E: Quero saber quanto custa esse curso.
S: Gostaria de saber o valor deste curso.
E: Esse produto veio quebrado.
S: Este produto foi entregue danificado.
E: A gente se vê na semana que vem.
S: Nós nos veremos na próxima semana.
E: Tipo, o projeto tá quase pronto.
S: O projeto está quase concluído.
E: Me manda o endereço por mensagem.
S: Por gentileza, envie-me o endereço por mensagem.
E: Não curti a resposta da empresa.
S: Não fiquei satisfeito com a resposta da empresa.
E: Pode deixar que eu resolvo isso.
S: Fique tranquilo, eu mesmo resolverei essa questão.
E: O ônibus atrasou à beça hoje.
S: O ônibus atrasou bastante hoje.
E: Cê sabe onde fica a secretaria?
S: O senhor saberia informar onde fica a secretaria?
E: Já era, perdemos o prazo.
S: Infelizmente, perdemos o prazo.
E: Tô mandando os arquivos agora.
S: Estou enviando os arquivos neste momento.
E: O aluguel subiu pra caramba.
S: O valor do aluguel aumentou consideravelmente.
I: Reescreva a frase em linguagem informal, como numa conversa entre amigos.
E: Solicito a gentileza de confirmar sua presença.
S: Confirma se você vem, por favor?
E: Informamos que o expediente será encerrado mais cedo.
S: Hoje a gente fecha mais cedo.
E: Agradeço imensamente a sua atenção.
S: Valeu mesmo pela atenção!
E: Não será possível comparecer ao evento.
S: Não vou conseguir ir ao evento.
E: Encontro-me impossibilitado de atender no momento.
S: Agora não dá pra atender.

## correção ortográfica
I: Corrija os erros de ortografia da frase.
E: A menina estava muito feliz com o prezente.
S: A menina estava muito feliz com o presente.
E: Nós vamos viajar nas férias de janero.
S: Nós vamos viajar nas férias de janeiro.
E: Ele não conceguiu terminar a tarefa.
S: Ele não conseguiu terminar a tarefa.
E: A excessão confirma a regra.
S: A exceção confirma a regra.
E: Precisamos analizar os resultados.
S: Precisamos analisar os resultados.
E: O cachorro latiu a noite intera.
S: O cachorro latiu a noite inteira.
E: Ela comprou um sapato marron.
S: Ela comprou um sapato marrom.
E: Meu irmão estuda de manhan.
S: Meu irmão estuda de manhã.
E: A previsão do tempo indica chuva para amanhan.
S: A previsão do tempo indica chuva para amanhã.
E: O mendingo pediu ajuda na praça.
S: O mendigo pediu ajuda na praça.
E: Ela sempre come bolaxa no café da manhã.
S: Ela sempre come bolacha no café da manhã.
E: A professora pediu que agente fizesse silêncio.
S: A professora pediu que a gente fizesse silêncio.
E: O mecânico consertou o frêio do carro.
S: O mecânico consertou o freio do carro.
E: Vou esperar você na estasão.
S: Vou esperar você na estação.
E: Eles poçuem uma casa na praia.
S: Eles possuem uma casa na praia.
E: A insenção do imposto foi aprovada.
S: A isenção do imposto foi aprovada.
E: Comprei uma cadera nova para o escritório.
S: Comprei uma cadeira nova para o escritório.
E: O menino pulou a cerca e machucou o juelho.
S: O menino pulou a cerca e machucou o joelho.
E: Minha avó faz um bolo de cenora delicioso.
S: Minha avó faz um bolo de cenoura delicioso.
E: É um previlégio trabalhar com vocês.
S: É um privilégio trabalhar com vocês.
E: O medico receitou um remédio para a gripe.
S: O médico receitou um remédio para a gripe.
E: A agua do rio está muito poluída.
S: A água do rio está muito poluída.
E: Ele ficou para traz na corrida.
S: Ele ficou para trás na corrida.
E: A escursão da escola foi divertida.
S: A excursão da escola foi divertida.
E: O aviao decolou no horário.
S: O avião decolou no horário.
E: Ela é muito exigente com a limpesa da casa.
S: Ela é muito exigente com a limpeza da casa.
E: A beleza do por do sol impressionou todos.
S: A beleza do pôr do sol impressionou todos.
E: O jogador fez um gol de cabessa.
S: O jogador fez um gol de cabeça.
E: Preciso trocar a lâmpada da cosinha.
S: Preciso trocar a lâmpada da cozinha.
E: O sinal de transito estava vermelho.
S: O sinal de trânsito estava vermelho.
E: A criança ficou com mêdo do escuro.
S: A criança ficou com medo do escuro.
E: Os alunos fizeram uma pesquiza sobre o Pantanal.
S: Os alunos fizeram uma pesquisa sobre o Pantanal.
E: A seleção ganhou o jogo por tres a um.
S: A seleção ganhou o jogo por três a um.
E: Eu nunca vi uma girafa de perto, só na televizão.
S: Eu nunca vi uma girafa de perto, só na televisão.
E: O bebê está durmindo no berço.
S: O bebê está dormindo no berço.
E: Precisamos de mais atensão nas aulas.
S: Precisamos de mais atenção nas aulas.
E: A impresa contratou novos funcionários.
S: A empresa contratou novos funcionários.
E: Vou comprar um presente de aniverssário.
S: Vou comprar um presente de aniversário.
E: O rapaz ficou muito nervozo na entrevista.
S: O rapaz ficou muito nervoso na entrevista.
E: Os passaros cantam de manhã cedo.
S: Os pássaros cantam de manhã cedo.
E: O menino cassou uma borboleta no jardim.
S: O menino caçou uma borboleta no jardim.
E: Ela encontrou a chave embaicho do tapete.
S: Ela encontrou a chave embaixo do tapete.
E: Meu tio mora em uma chacara no interior.
S: Meu tio mora em uma chácara no interior.
E: Ele tem muita paciência com as crianças.
S: A frase já está correta.
E: Comemos pamonha e curau na festa junina.
S: A frase já está correta.
I: Encontre a palavra com erro de grafia e mostre a forma correta.
E: O concerto do carro ficou caro.
S: "Concerto" deveria ser "conserto": consertar é reparar; concerto é uma apresentação musical.
E: Ele sempre pede um suco de maracujá e uma coxinha com requeijão.
S: Não há erros: todas as palavras estão escritas corretamente.
E: Ela teve que acender ao cargo de diretora.
S: "Acender" deveria ser "ascender", que significa subir; acender é pôr fogo ou ligar a luz.
E: O ladrão foi pego em flagrante delito, mas a sessão do tribunal foi adiada.
S: Não há erros: todas as palavras estão escritas corretamente.
E: Meu título de eleitor indica a seção onde eu voto.
S: Não há erros: "seção" é a divisão de um lugar, como a seção eleitoral.
E: Eu espero a sua resposta com ansiedade, mas sem pressa exagerada e sem estresse.
S: Não há erros: todas as palavras estão escritas corretamente.

## concordância e gramática
I: Corrija a concordância da frase.
E: Os menino foi para a escola.
S: Os meninos foram para a escola.
E: As casa estão limpa.
S: As casas estão limpas.
E: Faltou dois alunos hoje.
S: Faltaram dois alunos hoje.
E: A gente vamos sair mais tarde.
S: A gente vai sair mais tarde.
E: Sobrou muitas laranjas na cesta.
S: Sobraram muitas laranjas na cesta.
E: É proibido a entrada de animais.
S: É proibida a entrada de animais.
E: Houveram muitos acidentes na estrada.
S: Houve muitos acidentes na estrada.
E: Eles vai chegar tarde.
S: Eles vão chegar tarde.
E: Fazem três anos que moro aqui.
S: Faz três anos que moro aqui.
E: Chegou as encomendas que você pediu.
S: Chegaram as encomendas que você pediu.
I: Qual é a forma correta? Responda e explique em uma frase.
E: "Houveram problemas" ou "houve problemas"?
S: O certo é "houve problemas", pois o verbo "haver" no sentido de "existir" fica no singular.
E: "Fazem dois anos" ou "faz dois anos"?
S: O certo é "faz dois anos", pois o verbo "fazer" indicando tempo decorrido fica no singular.
E: "Meio-dia e meio" ou "meio-dia e meia"?
S: O certo é "meio-dia e meia", porque se refere a meia hora.
E: "Menas pessoas" ou "menos pessoas"?
S: O certo é "menos pessoas": a palavra "menos" nunca varia.
E: "Para mim fazer" ou "para eu fazer"?
S: O certo é "para eu fazer", porque antes de verbo no infinitivo o sujeito é "eu".
E: "Entre eu e você" ou "entre mim e você"?
S: O certo é "entre mim e você", porque depois de preposição se usa "mim".
E: "A gente fomos" ou "a gente foi"?
S: O certo é "a gente foi", porque "a gente" leva o verbo na terceira pessoa do singular.
E: "Vende-se casas" ou "vendem-se casas"?
S: Segundo a norma-padrão, o certo é "vendem-se casas", pois o verbo concorda com "casas".
I: Explique a diferença entre as palavras.
E: "mas" e "mais"
S: "Mas" indica oposição, como "porém"; "mais" indica quantidade ou intensidade e é o oposto de "menos".
E: "mal" e "mau"
S: "Mal" é o oposto de "bem"; "mau" é o oposto de "bom".
E: "onde" e "aonde"
S: "Onde" indica o lugar em que se está; "aonde" é usado com verbos de movimento, como em "Aonde você vai?".
E: "há" e "a" para indicar tempo
S: "Há" indica tempo passado, como em "há dois dias"; "a" indica tempo futuro ou distância, como em "daqui a dois dias".
E: "sessão", "seção" e "cessão"
S: "Sessão" é o tempo de uma reunião ou espetáculo; "seção" é uma divisão; "cessão" é o ato de ceder.
E: "tráfego" e "tráfico"
S: "Tráfego" é o movimento de veículos; "tráfico" é o comércio ilegal de algo.
I: Quando se usa "por que" separado e sem acento?
S: Em perguntas, como em "Por que você saiu?", e quando equivale a "pelo qual".
I: Quando se usa "porque" junto e sem acento?
S: Em respostas e explicações, com o sentido de "pois", como em "Saí porque estava tarde".
I: Quando se usa "por quê" separado e com acento?
S: No fim de frases, antes de um ponto, como em "Você saiu por quê?".
I: Quando se usa "porquê" junto e com acento?
S: Quando funciona como substantivo, com o sentido de "motivo", como em "Não sei o porquê da briga".

## classificação de sentimento
I: Classifique o sentimento da frase como positivo, negativo ou neutro.
E: Adorei o atendimento, fui muito bem recebido.
S: Positivo.
E: O bolo chegou quentinho e estava uma delícia.
S: Positivo.
E: Finalmente passei na prova de direção!
S: Positivo.
E: A aula de hoje foi incrível, aprendi muita coisa.
S: Positivo.
E: O hotel era limpo, confortável e perto da praia.
S: Positivo.
E: Que alegria rever meus amigos de infância!
S: Positivo.
E: Recomendo a todos, o produto superou minhas expectativas.
S: Positivo.
E: O show foi emocionante do começo ao fim.
S: Positivo.
E: Os funcionários foram atenciosos e resolveram tudo rápido.
S: Positivo.
E: Meu filho aprendeu a andar de bicicleta hoje, estou muito orgulhosa.
S: Positivo.
E: A comida é caseira, saborosa e o preço é justo.
S: Positivo.
E: Ganhei uma bolsa de estudos e mal consigo acreditar!
S: Positivo.
E: A entrega atrasou duas semanas e ninguém deu satisfação.
S: Negativo.
E: O celular parou de funcionar depois de três dias.
S: Negativo.
E: Esperei uma hora na fila e fui atendido com grosseria.
S: Negativo.
E: O filme é longo, confuso e sem graça.
S: Negativo.
E: A comida veio fria e o pedido estava errado.
S: Negativo.
E: Perdi o ônibus e cheguei atrasado à entrevista.
S: Negativo.
E: O quarto do hotel estava sujo e o chuveiro não esquentava.
S: Negativo.
E: Fiquei muito decepcionado com o resultado do jogo.
S: Negativo.
E: A internet cai toda hora, não dá para trabalhar assim.
S: Negativo.
E: Comprei um tênis que descolou na primeira chuva.
S: Negativo.
E: Que dia horrível, tudo deu errado.
S: Negativo.
E: O aplicativo é lento e trava a cada clique.
S: Negativo.
E: A loja abre às oito horas da manhã.
S: Neutro.
E: O ônibus da linha 302 passa pela avenida principal.
S: Neutro.
E: A reunião foi marcada para quinta-feira.
S: Neutro.
E: O livro tem trezentas páginas.
S: Neutro.
E: Amanhã a previsão é de tempo nublado.
S: Neutro.
E: O mercado fica na esquina da rua de cima.
S: Neutro.
E: A palestra será transmitida pela internet.
S: Neutro.
E: Ele mora em Campinas desde 2015.
S: Neutro.
E: O produto está disponível nas cores azul e preta.
S: Neutro.
E: A matrícula pode ser feita pela internet ou na secretaria.
S: Neutro.
E: O trem sai da estação a cada quinze minutos.
S: Neutro.
E: O documento deve ser entregue em duas vias.
S: Neutro.
I: Diga se a avaliação do cliente é positiva, negativa ou mista, e explique em poucas palavras.
E: Produto bom, mas a entrega demorou demais.
S: Mista: o cliente elogia o produto, mas reclama da demora na entrega.
E: Atendimento nota dez, voltarei com certeza.
S: Positiva: o cliente elogia o atendimento e pretende voltar.
E: Paguei caro e recebi um produto diferente da foto.
S: Negativa: o cliente pagou caro e recebeu algo diferente do anunciado.
E: O restaurante é aconchegante e a moqueca estava perfeita.
S: Positiva: o cliente gostou do ambiente e da comida.
E: Ninguém atende o telefone do suporte.
S: Negativa: o cliente não consegue falar com o suporte.
E: O curso é bom, mas o material poderia ser mais atualizado.
S: Mista: o cliente gosta do curso, mas critica o material.
E: A pousada é simples, porém muito limpa e com um café da manhã farto.
S: Positiva: o cliente destaca a limpeza e o café da manhã.
E: A pizza chegou rápido, mas estava sem sal e meio crua.
S: Mista, puxando para negativa: a entrega foi rápida, mas a pizza estava ruim.

## tradução (português e inglês)
I: Traduza a frase para o inglês.
E: Bom dia!
S: Good morning!
E: Onde fica o banheiro?
S: Where is the bathroom?
E: Eu gosto de ler livros.
S: I like reading books.
E: Quanto custa isso?
S: How much does this cost?
E: Meu nome é Ana.
S: My name is Ana.
E: Está chovendo muito hoje.
S: It is raining a lot today.
E: Eu tenho duas irmãs.
S: I have two sisters.
E: A comida está deliciosa.
S: The food is delicious.
E: Eu não entendi a pergunta.
S: I didn't understand the question.
E: Pode falar mais devagar, por favor?
S: Can you speak more slowly, please?
E: O gato está dormindo no sofá.
S: The cat is sleeping on the couch.
E: Ela trabalha em um hospital.
S: She works at a hospital.
E: Que horas são?
S: What time is it?
E: Estou com fome.
S: I am hungry.
E: Feliz aniversário!
S: Happy birthday!
E: Obrigado pela ajuda.
S: Thank you for the help.
E: A praia está cheia hoje.
S: The beach is crowded today.
E: Nós moramos perto da escola.
S: We live near the school.
E: Eu preciso de um médico.
S: I need a doctor.
E: O livro está em cima da mesa.
S: The book is on the table.
I: Como se diz esta frase em inglês?
E: Ele joga futebol todo sábado.
S: He plays soccer every Saturday.
E: Qual é o seu nome?
S: What is your name?
E: Eu moro no Brasil.
S: I live in Brazil.
E: A loja abre às nove horas.
S: The store opens at nine o'clock.
E: Meu pai cozinha muito bem.
S: My father cooks very well.
E: Eu estou aprendendo inglês.
S: I am learning English.
E: Onde você mora?
S: Where do you live?
I: Traduza para o inglês: "Hoje está muito quente."
S: It is very hot today.
I: Traduza para o inglês: "Boa noite e até amanhã."
S: Good night and see you tomorrow.
I: Traduza para o inglês: "As crianças estão brincando no parque."
S: The children are playing in the park.
I: Traduza para o inglês: "Eu bebo café todas as manhãs."
S: I drink coffee every morning.
I: Traduza para o inglês: "O trem está atrasado."
S: The train is late.
I: Traduza para o inglês: "Desculpe, eu estou perdido."
S: Sorry, I am lost.
I: Traduza para o inglês: "Gosto muito de música brasileira."
S: I really like Brazilian music.
I: Traduza para o inglês: "Por favor, feche a porta."
S: Please close the door.
I: Traduza para o inglês: "A reunião foi cancelada."
S: The meeting was canceled.
I: Traduza para o inglês: "Minha cor favorita é verde."
S: My favorite color is green.
I: Traduza para o inglês: "Você pode me ajudar?"
S: Can you help me?
I: Traduza para o inglês: "Amanhã vou visitar minha avó."
S: Tomorrow I will visit my grandmother.
I: Traduza para o inglês: "Vamos ao cinema amanhã?"
S: Shall we go to the movies tomorrow?
I: Traduza a frase para o português.
E: Good afternoon, how are you?
S: Boa tarde, como vai?
E: I am from São Paulo.
S: Eu sou de São Paulo.
E: The weather is nice today.
S: O tempo está bom hoje.
E: Where is the bus station?
S: Onde fica a rodoviária?
E: I would like a glass of water, please.
S: Eu gostaria de um copo de água, por favor.
E: My brother is a teacher.
S: Meu irmão é professor.
E: We are going to the beach on Sunday.
S: Nós vamos à praia no domingo.
E: This book is very interesting.
S: Este livro é muito interessante.

## resumo
I: Resuma a frase em poucas palavras.
E: Apesar da chuva forte que caiu durante toda a tarde, milhares de torcedores foram ao estádio para assistir à final do campeonato estadual.
S: Milhares de torcedores foram à final do campeonato mesmo com chuva forte.
E: A prefeitura anunciou que, a partir da próxima segunda-feira, as linhas de ônibus que atendem o centro da cidade terão novos horários, mais frequentes nos períodos de pico.
S: A partir de segunda, os ônibus do centro terão mais viagens nos horários de pico.
E: Depois de meses de estudo e muitas noites sem dormir, Mariana finalmente foi aprovada no vestibular para o curso de medicina.
S: Mariana foi aprovada em medicina após muito estudo.
E: O mercado do bairro, que funcionava havia mais de trinta anos na mesma esquina, fechou as portas porque o dono decidiu se aposentar.
S: O antigo mercado do bairro fechou porque o dono se aposentou.
E: Os pesquisadores observaram que as plantas regadas com água da chuva cresceram mais rápido do que as regadas com água da torneira.
S: Plantas regadas com água da chuva cresceram mais rápido.
E: Durante a reunião de pais, a diretora explicou que a escola vai reformar a quadra de esportes e construir uma nova biblioteca até o fim do ano.
S: A escola vai reformar a quadra e construir uma biblioteca até o fim do ano.
E: Com a chegada do inverno, a procura por cobertores e agasalhos aumentou bastante nas lojas da região Sul.
S: No inverno, a venda de agasalhos aumentou no Sul.
E: O time jogou mal no primeiro tempo, mas reagiu no segundo, marcou dois gols e conseguiu a virada nos minutos finais.
S: O time virou o jogo no segundo tempo.
E: Meu vizinho, que sempre reclamava do barulho, acabou se mudando para uma casa no interior, onde diz que finalmente consegue dormir em paz.
S: O vizinho que reclamava do barulho se mudou para o interior em busca de sossego.
E: A campanha de vacinação contra a gripe foi prorrogada por mais duas semanas, porque muitas pessoas dos grupos prioritários ainda não tinham se vacinado.
S: A vacinação contra a gripe foi prorrogada por duas semanas por causa da baixa adesão.
E: Ao chegar em casa depois de um longo dia de trabalho, Paulo percebeu que tinha esquecido as chaves no escritório e precisou esperar a esposa voltar.
S: Paulo esqueceu as chaves no trabalho e teve de esperar a esposa.
E: A biblioteca municipal vai abrir aos sábados a partir do mês que vem, atendendo a um pedido antigo dos estudantes da cidade.
S: A pedido dos estudantes, a biblioteca abrirá aos sábados.
E: O preço do tomate subiu muito nas últimas semanas por causa das chuvas, que prejudicaram as colheitas em várias regiões produtoras.
S: As chuvas prejudicaram as colheitas e o tomate ficou mais caro.
E: A cadela da família, que tinha fugido durante a tempestade, foi encontrada dois dias depois por uma vizinha, assustada, mas sem nenhum ferimento.
S: A cadela que fugiu na tempestade foi encontrada sã e salva dois dias depois.
E: Os alunos do quinto ano plantaram vinte mudas de árvores nativas no terreno ao lado da escola como parte de um projeto sobre meio ambiente.
S: Alunos do quinto ano plantaram vinte árvores nativas em um projeto ambiental.
E: Por causa de um problema técnico na pista, todos os voos do aeroporto foram suspensos durante três horas na manhã de ontem.
S: Um problema na pista suspendeu os voos do aeroporto por três horas.
E: Embora tenha treinado pouco, a atleta conseguiu terminar a maratona em menos de quatro horas e ficou muito satisfeita com o resultado.
S: Mesmo treinando pouco, a atleta completou a maratona em menos de quatro horas.
E: A nova lei obriga os restaurantes a informar no cardápio se os pratos contêm ingredientes que podem causar alergia.
S: Restaurantes terão de informar no cardápio os ingredientes que causam alergia.
E: Depois de uma semana de sol forte, a cidade registrou uma queda brusca de temperatura, e os termômetros marcaram oito graus na madrugada.
S: Após dias de calor, a temperatura caiu para oito graus.
E: O festival de música da cidade reuniu bandas locais e atraiu mais de dez mil pessoas durante os três dias de evento.
S: O festival de música local atraiu mais de dez mil pessoas em três dias.
I: Resuma o texto em uma frase curta.
E: A empresa decidiu permitir que os funcionários trabalhem de casa duas vezes por semana, depois que uma pesquisa mostrou que a produtividade não caiu.
S: Os funcionários poderão trabalhar de casa duas vezes por semana.
E: Durante a excursão ao museu, as crianças viram fósseis de dinossauros e aprenderam como os cientistas descobrem a idade das rochas.
S: No museu, as crianças viram fósseis e aprenderam sobre a idade das rochas.
E: O motorista do ônibus parou o veículo para ajudar uma senhora idosa a atravessar a avenida movimentada, e os passageiros aplaudiram.
S: Passageiros aplaudiram o motorista que ajudou uma idosa a atravessar a avenida.
E: Como o rio transbordou depois das chuvas, algumas famílias tiveram que deixar suas casas e foram abrigadas no ginásio da escola.
S: Famílias desalojadas pela cheia do rio foram abrigadas no ginásio.
E: A padaria da esquina começou a vender pão de queijo feito na hora, e agora a fila se forma logo cedo todas as manhãs.
S: O pão de queijo fresco da padaria provoca filas todas as manhãs.
E: Meu avô aprendeu a usar o celular aos oitenta anos e agora manda mensagens de bom-dia para todos os netos.
S: Aos oitenta anos, o avô aprendeu a usar o celular e manda bom-dia aos netos.
E: Os moradores da rua se organizaram para limpar a praça, pintar os bancos e plantar flores nos canteiros.
S: Os moradores se uniram para revitalizar a praça.
E: O cientista explicou que beber água ao longo do dia ajuda o corpo a regular a temperatura e a funcionar melhor.
S: Beber água ajuda o corpo a regular a temperatura e a funcionar bem.
E: Apesar de ser pequena, a cidade tem um time de vôlei feminino que já venceu três campeonatos estaduais.
S: A pequena cidade tem um time de vôlei feminino tricampeão estadual.
E: Ontem à noite faltou luz no bairro inteiro por quase duas horas, porque um caminhão bateu em um poste.
S: Um caminhão bateu em um poste e o bairro ficou quase duas horas sem luz.

## concisão
I: Reescreva a frase de forma mais curta, sem mudar o sentido.
E: Eu queria dizer que, na minha opinião pessoal, acho que o filme foi muito bom.
S: Achei o filme muito bom.
E: Devido ao fato de que estava chovendo, nós decidimos ficar em casa.
S: Como chovia, ficamos em casa.
E: Ele subiu lá para cima para pegar a caixa.
S: Ele subiu para pegar a caixa.
E: Vamos encarar de frente esse problema.
S: Vamos encarar esse problema.
E: Há muitos anos atrás, meu avô morava no sítio.
S: Há muitos anos, meu avô morava no sítio.
E: Eu mesmo, pessoalmente, vou verificar os dados.
S: Eu mesmo vou verificar os dados.
E: No caso de você precisar de ajuda, é só me chamar a qualquer momento.
S: Se precisar de ajuda, é só me chamar.
E: A reunião que estava marcada para hoje foi adiada para uma data futura que ainda será definida.
S: A reunião de hoje foi adiada sem nova data.
E: Todos os alunos, sem exceção nenhuma, entregaram o trabalho dentro do prazo estabelecido.
S: Todos os alunos entregaram o trabalho no prazo.
E: Ela entrou para dentro de casa correndo porque começou a chover.
S: Ela entrou correndo em casa porque começou a chover.

## voz passiva e ativa
I: Passe a frase para a voz passiva.
E: O carteiro entregou as cartas.
S: As cartas foram entregues pelo carteiro.
E: Os alunos leram o livro.
S: O livro foi lido pelos alunos.
E: A chef preparou o jantar.
S: O jantar foi preparado pela chef.
E: O vento derrubou a árvore.
S: A árvore foi derrubada pelo vento.
E: A professora corrigiu as provas.
S: As provas foram corrigidas pela professora.
E: Os bombeiros apagaram o incêndio.
S: O incêndio foi apagado pelos bombeiros.
E: O prefeito inaugurou a ponte.
S: A ponte foi inaugurada pelo prefeito.
E: Minha mãe fez o bolo.
S: O bolo foi feito por minha mãe.
E: O goleiro defendeu o pênalti.
S: O pênalti foi defendido pelo goleiro.
E: A empresa contratou dez funcionários.
S: Dez funcionários foram contratados pela empresa.
E: O pintor pintou a parede.
S: A parede foi pintada pelo pintor.
E: A polícia prendeu o suspeito.
S: O suspeito foi preso pela polícia.
E: Os turistas visitaram o Cristo Redentor.
S: O Cristo Redentor foi visitado pelos turistas.
E: O menino quebrou a janela.
S: A janela foi quebrada pelo menino.
E: A banda tocará a música nova.
S: A música nova será tocada pela banda.
E: O médico examina os pacientes.
S: Os pacientes são examinados pelo médico.
E: Machado de Assis escreveu Dom Casmurro.
S: Dom Casmurro foi escrito por Machado de Assis.
E: O cachorro mordeu o carteiro.
S: O carteiro foi mordido pelo cachorro.
E: A chuva alagou as ruas.
S: As ruas foram alagadas pela chuva.
E: Os agricultores colheram o café.
S: O café foi colhido pelos agricultores.
E: O juiz anulou o gol.
S: O gol foi anulado pelo juiz.
E: Os cientistas descobriram uma nova espécie de sapo.
S: Uma nova espécie de sapo foi descoberta pelos cientistas.
E: A diretora convocará uma reunião.
S: Uma reunião será convocada pela diretora.
E: O técnico consertou o computador.
S: O computador foi consertado pelo técnico.
E: As crianças plantaram as sementes.
S: As sementes foram plantadas pelas crianças.
E: O público aplaudiu os atores.
S: Os atores foram aplaudidos pelo público.
E: Santos Dumont pilotou o 14-Bis.
S: O 14-Bis foi pilotado por Santos Dumont.
E: O gato derrubou o vaso.
S: O vaso foi derrubado pelo gato.
E: A cozinheira serve o almoço ao meio-dia.
S: O almoço é servido pela cozinheira ao meio-dia.
E: O governo aprovou a nova lei.
S: A nova lei foi aprovada pelo governo.
I: Passe a frase para a voz ativa.
E: O relatório foi escrito pela equipe.
S: A equipe escreveu o relatório.
E: As flores foram regadas pelo jardineiro.
S: O jardineiro regou as flores.
E: O prêmio foi recebido pela atleta.
S: A atleta recebeu o prêmio.
E: Os documentos serão assinados pelo diretor.
S: O diretor assinará os documentos.
E: A casa foi construída pelos pedreiros.
S: Os pedreiros construíram a casa.

## tempo verbal, conjugação e plural de frases
I: Reescreva a frase no passado.
E: Eu estudo todos os dias.
S: Eu estudava todos os dias.
E: Ela canta no coral da igreja.
S: Ela cantava no coral da igreja.
E: Nós vamos à praia.
S: Nós fomos à praia.
E: O time vence o jogo.
S: O time venceu o jogo.
E: Eu faço o almoço.
S: Eu fiz o almoço.
I: Reescreva a frase no futuro.
E: Eu viajo para Recife.
S: Eu viajarei para Recife.
E: Eles compram pão.
S: Eles comprarão pão.
E: Eles fizeram o trabalho.
S: Eles farão o trabalho.
E: Nós dissemos a verdade.
S: Nós diremos a verdade.
I: Conjugue o verbo "cantar" no presente do indicativo.
S: Eu canto, tu cantas, ele canta, nós cantamos, vós cantais, eles cantam.
I: Conjugue o verbo "ser" no presente do indicativo.
S: Eu sou, tu és, ele é, nós somos, vós sois, eles são.
I: Conjugue o verbo "ter" no presente do indicativo.
S: Eu tenho, tu tens, ele tem, nós temos, vós tendes, eles têm.
I: Conjugue o verbo "ir" no presente do indicativo.
S: Eu vou, tu vais, ele vai, nós vamos, vós ides, eles vão.
I: Conjugue o verbo "fazer" no presente do indicativo.
S: Eu faço, tu fazes, ele faz, nós fazemos, vós fazeis, eles fazem.
I: Conjugue o verbo "vender" no pretérito perfeito do indicativo.
S: Eu vendi, tu vendeste, ele vendeu, nós vendemos, vós vendestes, eles venderam.
I: Conjugue o verbo "partir" no presente do indicativo.
S: Eu parto, tu partes, ele parte, nós partimos, vós partis, eles partem.
I: Passe a frase para o plural.
E: O gato preto dorme.
S: Os gatos pretos dormem.
E: A flor amarela murchou.
S: As flores amarelas murcharam.
E: O pão está quente.
S: Os pães estão quentes.
E: Este animal é selvagem.
S: Estes animais são selvagens.
E: O cidadão votou cedo.
S: Os cidadãos votaram cedo.
E: A lição foi difícil.
S: As lições foram difíceis.
E: O jornal chegou atrasado.
S: Os jornais chegaram atrasados.
E: Meu irmão é alto.
S: Meus irmãos são altos.

## análise de frases
I: Identifique o sujeito da frase.
E: Os meninos jogavam bola na rua.
S: Os meninos.
E: A chuva molhou toda a roupa do varal.
S: A chuva.
E: Na festa, a avó de Carlos contou histórias antigas.
S: A avó de Carlos.
E: Chegaram as cartas do banco.
S: As cartas do banco.
I: Qual é o verbo principal da frase?
E: O pássaro construiu um ninho na árvore.
S: Construiu (do verbo construir).
E: Minha tia vende bolos na feira.
S: Vende (do verbo vender).
I: Identifique o adjetivo na frase.
E: Comprei uma bicicleta vermelha.
S: Vermelha.
E: O mar estava calmo naquela manhã.
S: Calmo.
I: Classifique a palavra quanto à classe gramatical.
E: rapidamente
S: Advérbio.
E: felicidade
S: Substantivo.
E: correr
S: Verbo.
E: bonito
S: Adjetivo.
E: nós
S: Pronome.
E: sobre
S: Preposição.
E: porém
S: Conjunção.
I: Separe as sílabas da palavra.
E: borboleta
S: bor-bo-le-ta
E: computador
S: com-pu-ta-dor
E: pássaro
S: pás-sa-ro
E: abacaxi
S: a-ba-ca-xi
E: carro
S: car-ro
E: exceção
S: ex-ce-ção
E: chuva
S: chu-va
E: guarda-chuva
S: guar-da-chu-va
E: saúde
S: sa-ú-de
E: janela
S: ja-ne-la
E: psicologia
S: psi-co-lo-gi-a
E: assessoria
S: as-ses-so-ri-a
I: A frase é uma pergunta, uma ordem ou uma afirmação?
E: Feche a janela.
S: É uma ordem.
E: Você já almoçou?
S: É uma pergunta.
E: O céu está nublado.
S: É uma afirmação.
E: Traga o guarda-chuva, por favor.
S: É uma ordem, feita de forma educada.
I: A frase expressa um fato ou uma opinião?
E: A água ferve a 100 graus Celsius ao nível do mar.
S: Um fato.
E: O verão é a melhor estação do ano.
S: Uma opinião.
E: Brasília é a capital do Brasil.
S: Um fato.
E: Futebol é mais divertido que vôlei.
S: Uma opinião.
E: O Brasil fica na América do Sul.
S: Um fato.
E: Feijoada é a comida mais gostosa que existe.
S: Uma opinião.
I: Classifique o assunto do texto: esporte, economia, saúde ou tecnologia.
E: O Banco Central manteve a taxa de juros.
S: Economia.
E: O time venceu o clássico por 2 a 0.
S: Esporte.
E: Especialistas recomendam que adultos durmam de sete a nove horas por noite.
S: Saúde.
E: A nova versão do aplicativo traz modo escuro.
S: Tecnologia.
E: O preço da gasolina subiu pela terceira semana seguida.
S: Economia.
E: A nadadora bateu o recorde sul-americano.
S: Esporte.
E: Uma nova vacina contra a dengue foi aprovada.
S: Saúde.
E: Pesquisadores criaram um robô que separa lixo reciclável.
S: Tecnologia.

## extração de informação
I: Qual é o nome da pessoa mencionada?
E: Ontem, Joana levou o filho ao dentista.
S: Joana.
I: Em que cidade aconteceu o fato?
E: O show aconteceu em Belém, na sexta-feira, e reuniu milhares de fãs.
S: Em Belém.
I: Extraia a data do texto.
E: As inscrições para o curso vão até 15 de março.
S: 15 de março.
I: Qual é o preço do produto citado?
E: O caderno custa 12 reais na papelaria da esquina.
S: 12 reais.
I: Liste os animais citados na frase.
E: No sítio do meu tio há galinhas, patos, duas vacas e um cavalo.
S: Galinhas, patos, vacas e cavalo.
I: Quantas pessoas são mencionadas na frase?
E: Pedro, Lúcia e Rafael foram juntos à praia.
S: Três pessoas: Pedro, Lúcia e Rafael.
I: Liste as cores mencionadas.
E: A bandeira do Brasil tem verde, amarelo, azul e branco.
S: Verde, amarelo, azul e branco.
I: Que horário é mencionado na frase?
E: O posto de saúde abre às sete e meia da manhã.
S: Sete e meia da manhã.
I: Qual é o destino da viagem descrita?
E: Saímos de Goiânia na madrugada e chegamos a Caldas Novas antes do café.
S: Caldas Novas.
I: Coloque as palavras em ordem alfabética.
E: manga, abacaxi, laranja, banana
S: abacaxi, banana, laranja, manga
E: zebra, gato, elefante, urso
S: elefante, gato, urso, zebra
E: Pedro, Ana, Carla, Bruno
S: Ana, Bruno, Carla, Pedro
E: sol, lua, estrela, cometa
S: cometa, estrela, lua, sol
I: Qual palavra não pertence ao grupo? Explique.
E: maçã, banana, cenoura, uva
S: Cenoura, porque não é uma fruta.
E: cachorro, gato, papagaio, cavalo
S: Papagaio, porque é uma ave e os outros são mamíferos.
E: vermelho, azul, cadeira, verde
S: Cadeira, porque não é uma cor.
E: Recife, Salvador, Fortaleza, Argentina
S: Argentina, porque é um país e as outras são cidades.
E: violão, pandeiro, cavaquinho, martelo
S: Martelo, porque é uma ferramenta e os outros são instrumentos musicais.
E: segunda, terça, julho, sexta
S: Julho, porque é um mês e os outros são dias da semana.
I: Crie um título curto para o texto.
E: Moradores de uma vila no interior da Bahia se uniram para construir uma cisterna que agora abastece vinte famílias durante a seca.
S: Vizinhos constroem cisterna contra a seca
E: Uma estudante de quinze anos desenvolveu um aplicativo que ajuda agricultores a prever a melhor época de plantio.
S: Jovem cria aplicativo para ajudar agricultores
E: A cidade inaugurou uma ciclovia de doze quilômetros ligando os bairros ao centro.
S: Nova ciclovia liga bairros ao centro
E: Um cachorro caramelo que vive em frente a uma farmácia virou o mascote dos clientes.
S: Cachorro caramelo vira mascote de farmácia
E: Cientistas identificaram uma nova espécie de orquídea em uma área de Mata Atlântica.
S: Nova orquídea é descoberta na Mata Atlântica
E: A escola promoveu uma feira de ciências em que os alunos apresentaram projetos de energia solar.
S: Feira de ciências destaca energia solar

## ciências
I: Qual é o maior planeta do Sistema Solar?
S: Júpiter é o maior planeta do Sistema Solar.
I: Qual planeta fica mais perto do Sol?
S: Mercúrio é o planeta mais próximo do Sol.
I: Qual é o menor planeta do Sistema Solar?
S: Mercúrio é o menor planeta do Sistema Solar.
I: Qual planeta é conhecido como o planeta vermelho?
S: Marte, por causa da cor avermelhada do seu solo.
I: Quantos planetas há no Sistema Solar?
S: O Sistema Solar tem oito planetas.
I: Por que o céu é azul?
S: Porque a luz azul do Sol é mais espalhada pelas moléculas do ar do que as outras cores.
I: O que as plantas produzem na fotossíntese?
S: Elas produzem glicose, que serve de alimento, e liberam oxigênio.
I: O que é fotossíntese?
S: É o processo em que as plantas usam luz, água e gás carbônico para produzir seu alimento e liberar oxigênio.
I: Qual é a fórmula química da água?
S: A fórmula da água é H2O: dois átomos de hidrogênio e um de oxigênio.
I: A que temperatura a água ferve ao nível do mar?
S: A 100 graus Celsius.
I: A que temperatura a água pura congela?
S: A zero grau Celsius, ao nível do mar.
I: Quantos ossos tem o corpo humano adulto?
S: O corpo humano adulto tem 206 ossos.
I: Qual é o maior órgão do corpo humano?
S: A pele é o maior órgão do corpo humano.
I: Qual órgão bombeia o sangue pelo corpo?
S: O coração.
I: Qual é o osso mais longo do corpo humano?
S: O fêmur, que fica na coxa.
I: O que os pulmões fazem?
S: Os pulmões levam oxigênio ao sangue e eliminam o gás carbônico.
I: Quantos dentes tem um adulto, normalmente?
S: Normalmente 32 dentes, contando os dentes do siso.
I: O que é um mamífero?
S: É um animal vertebrado que tem pelos e cujas fêmeas amamentam os filhotes.
I: A baleia é um peixe?
S: Não. A baleia é um mamífero: respira ar pelos pulmões e amamenta os filhotes.
I: Quantas patas tem um inseto?
S: Um inseto tem seis patas.
I: A aranha é um inseto?
S: Não. A aranha é um aracnídeo e tem oito patas, enquanto os insetos têm seis.
I: O que é um vertebrado?
S: É um animal que tem coluna vertebral, como os peixes, as aves e os mamíferos.
I: O que é um herbívoro?
S: É um animal que se alimenta de plantas, como a capivara.
I: O que é um carnívoro?
S: É um animal que se alimenta principalmente de carne, como a onça-pintada.
I: O que é um anfíbio? Dê um exemplo.
S: É um vertebrado que costuma viver parte da vida na água e parte em terra, como o sapo.
I: Como se chama o processo em que a lagarta vira borboleta?
S: Metamorfose.
I: Qual é a estrela mais próxima da Terra?
S: O Sol.
I: Quanto tempo a Terra leva para dar uma volta em torno do Sol?
S: Cerca de 365 dias, ou seja, aproximadamente um ano.
I: Por que existem o dia e a noite?
S: Porque a Terra gira em torno do próprio eixo, e cada lado fica ora voltado para o Sol, ora não.
I: O que é a Lua?
S: A Lua é o satélite natural da Terra.
I: O que causa as marés?
S: Principalmente a atração gravitacional da Lua sobre as águas dos oceanos.
I: O que é um eclipse solar?
S: É quando a Lua passa entre a Terra e o Sol e encobre a luz do Sol.
I: O que é um eclipse lunar?
S: É quando a Terra fica entre o Sol e a Lua, e a sombra da Terra cobre a Lua.
I: O que é a gravidade?
S: É a força de atração entre corpos com massa; é ela que faz os objetos caírem em direção à Terra.
I: Qual é a velocidade aproximada da luz no vácuo?
S: Cerca de 300 mil quilômetros por segundo.
I: O som se propaga no vácuo?
S: Não. O som precisa de um meio material, como o ar ou a água, para se propagar.
I: Quais são os três estados físicos mais comuns da matéria?
S: Sólido, líquido e gasoso.
I: Em que estado físico está a água no gelo?
S: No estado sólido.
I: O que é condensação?
S: É a passagem do estado gasoso para o líquido, como o vapor que vira gotas num copo gelado.
I: O que é evaporação?
S: É a passagem lenta da água do estado líquido para o gasoso, como a roupa que seca no varal.
I: Qual metal é líquido à temperatura ambiente?
S: O mercúrio.
I: Por que o gelo flutua na água?
S: Porque o gelo é menos denso que a água líquida.
I: O que acontece com os metais quando são aquecidos?
S: Eles se dilatam, isto é, aumentam um pouco de tamanho.
I: O que o ímã atrai?
S: Objetos feitos de certos metais, como o ferro.
I: Qual é o gás mais abundante no ar?
S: O nitrogênio, que forma cerca de 78% do ar.
I: De qual gás o corpo humano precisa para respirar?
S: Do oxigênio; ao expirar, eliminamos gás carbônico.
I: Qual é a função das raízes de uma planta?
S: As raízes fixam a planta no solo e absorvem água e sais minerais.
I: De onde vem a chuva?
S: A água evapora, se condensa em nuvens no alto e cai como chuva quando as gotas ficam pesadas.
I: Qual parte da célula guarda o material genético?
S: Nas células de animais e plantas, o material genético fica principalmente no núcleo.
I: O que é DNA?
S: É a molécula que guarda as informações genéticas dos seres vivos.
I: Qual vitamina o corpo produz com a ajuda da luz do sol?
S: A vitamina D.
I: O que é um vírus?
S: É um agente infeccioso muito pequeno que só se multiplica dentro de células vivas.
I: Os antibióticos funcionam contra vírus?
S: Não. Os antibióticos combatem bactérias, não vírus.
I: Por que sentimos sede?
S: Porque o corpo perdeu água e precisa repor o líquido para funcionar bem.
I: O que é energia renovável?
S: É a energia de fontes que se renovam naturalmente, como o sol, o vento e a água dos rios.
I: Qual é a principal fonte de energia elétrica do Brasil?
S: As usinas hidrelétricas, que usam a força da água dos rios.
I: O que é um ecossistema?
S: É o conjunto dos seres vivos de um lugar, do ambiente em que vivem e das relações entre eles.
I: O que é a camada de ozônio?
S: É uma camada da atmosfera que filtra boa parte dos raios ultravioleta do Sol.
I: Qual é a unidade de medida de força no Sistema Internacional?
S: O newton.
I: Qual é a unidade de medida de corrente elétrica?
S: O ampere.
I: O que é uma cadeia alimentar?
S: É a sequência de seres vivos em que um serve de alimento para o outro, como capim, gafanhoto e sapo.
I: Por que as folhas das plantas são verdes?
S: Por causa da clorofila, um pigmento que absorve luz para a fotossíntese e reflete o verde.
I: O que é um fóssil?
S: É um resto ou marca de um ser vivo muito antigo preservado em rochas.

## conhecimentos sobre o Brasil
I: Qual é a capital do Brasil?
S: Brasília.
I: Em que ano Brasília foi inaugurada?
S: Em 1960.
I: Qual é o maior estado do Brasil em área?
S: O Amazonas.
I: Qual é o menor estado do Brasil em área?
S: Sergipe.
I: Qual é o estado brasileiro mais populoso?
S: São Paulo.
I: Qual é a cidade mais populosa do Brasil?
S: São Paulo.
I: Quantos estados tem o Brasil?
S: O Brasil tem 26 estados, além do Distrito Federal.
I: Qual é a moeda do Brasil?
S: O real.
I: Qual é a língua oficial do Brasil?
S: O português.
I: Em que data se comemora a Independência do Brasil?
S: Em 7 de setembro.
I: Em que ano o Brasil declarou a independência?
S: Em 1822.
I: Em que dia se comemora a Proclamação da República?
S: Em 15 de novembro.
I: Em que ano foi assinada a Lei Áurea?
S: Em 1888; a lei aboliu a escravidão no Brasil.
I: Quem foi o primeiro presidente do Brasil?
S: O marechal Deodoro da Fonseca.
I: Quem foi Tiradentes?
S: Joaquim José da Silva Xavier, participante da Inconfidência Mineira, executado em 1792.
I: Quem foi Santos Dumont?
S: Um inventor brasileiro, pioneiro da aviação, famoso pelo voo do 14-Bis em 1906.
I: Qual é o lema escrito na bandeira do Brasil?
S: "Ordem e Progresso".
I: Quantas estrelas há na bandeira do Brasil?
S: 27 estrelas, uma para cada estado e uma para o Distrito Federal.
I: Qual árvore deu nome ao Brasil?
S: O pau-brasil.
I: Quantas vezes a seleção brasileira masculina venceu a Copa do Mundo?
S: Cinco vezes: em 1958, 1962, 1970, 1994 e 2002.
I: Qual é o ponto mais alto do Brasil?
S: O Pico da Neblina, no Amazonas.
I: Qual é o maior bioma do Brasil?
S: A Amazônia.
I: Qual bioma existe somente no Brasil?
S: A Caatinga.
I: O que é a Caatinga?
S: É um bioma do Nordeste com clima semiárido e plantas adaptadas à seca, como o mandacaru.
I: Em quais estados brasileiros fica o Pantanal?
S: Em Mato Grosso e Mato Grosso do Sul.
I: Onde ficam as Cataratas do Iguaçu?
S: Na fronteira entre o Paraná, no Brasil, e a província de Misiones, na Argentina.
I: Qual oceano banha o litoral brasileiro?
S: O oceano Atlântico.
I: Quais países da América do Sul não fazem fronteira com o Brasil?
S: O Chile e o Equador.
I: Qual é a maior floresta tropical do mundo?
S: A Floresta Amazônica.
I: Qual rio é chamado de "Velho Chico"?
S: O rio São Francisco.
I: Qual é o maior rio do Brasil em volume de água?
S: O rio Amazonas.
I: Em qual cidade fica o Cristo Redentor?
S: No Rio de Janeiro, no alto do morro do Corcovado.
I: Qual é o maior felino das Américas, presente no Brasil?
S: A onça-pintada.
I: Qual é o maior roedor do mundo, comum no Brasil?
S: A capivara.
I: Quem escreveu "Dom Casmurro"?
S: Machado de Assis.
I: Quem escreveu "Grande Sertão: Veredas"?
S: João Guimarães Rosa.
I: Quem compôs "Garota de Ipanema"?
S: Tom Jobim e Vinicius de Moraes.
I: Quem é o Patrono da Educação Brasileira?
S: Paulo Freire.
I: O que significa a sigla SUS?
S: Sistema Único de Saúde.
I: O que é o Enem?
S: É o Exame Nacional do Ensino Médio, usado no ingresso em muitas universidades.
I: O que é o Carnaval?
S: É uma festa popular que acontece antes da Quaresma, com desfiles, blocos e muita música.
I: O que é a festa junina?
S: É uma festa popular de junho, com quadrilha, fogueira e comidas de milho.
I: De que é feito o pão de queijo tradicional?
S: De polvilho, queijo, ovos, leite e óleo.
I: O que é o açaí?
S: É o fruto roxo de uma palmeira da Amazônia, muito consumido na forma de polpa.
I: O que é o frevo?
S: É uma dança e um ritmo do Carnaval de Pernambuco, dançado com uma pequena sombrinha colorida.
I: O que é a tapioca?
S: É uma espécie de panqueca feita com a goma da mandioca, recheada com ingredientes doces ou salgados.
I: O que é o chimarrão?
S: É uma bebida quente de erva-mate, tomada numa cuia, muito comum no Sul do Brasil.

## definições e expressões
I: O que significa a palavra "saudade"?
S: É o sentimento de falta de alguém, de um lugar ou de um tempo de que gostamos.
I: O que é um substantivo?
S: É a palavra que dá nome a seres, objetos, lugares, sentimentos e ideias, como "mesa" ou "alegria".
I: O que é um verbo?
S: É a palavra que indica ação, estado ou fenômeno, como "correr", "ser" ou "chover".
I: O que é um adjetivo?
S: É a palavra que caracteriza o substantivo, como "azul" em "carro azul".
I: O que é um advérbio?
S: É a palavra que modifica um verbo, um adjetivo ou outro advérbio, indicando tempo, lugar ou modo, como "ontem".
I: O que é um sinônimo?
S: É uma palavra de sentido igual ou parecido ao de outra, como "feliz" e "contente".
I: O que é um antônimo?
S: É uma palavra de sentido contrário ao de outra, como "alto" e "baixo".
I: O que é uma fração?
S: É um número que representa partes de um todo, como 1/4, que é uma de quatro partes iguais.
I: O que é um número primo?
S: É um número natural maior que 1 que só é divisível por 1 e por ele mesmo, como o 7.
I: O que é perímetro?
S: É a soma das medidas de todos os lados de uma figura.
I: O que é área?
S: É a medida da superfície de uma figura.
I: O que é média aritmética?
S: É a soma dos valores dividida pela quantidade de valores.
I: O que é inflação?
S: É o aumento geral e contínuo dos preços, que reduz o poder de compra do dinheiro.
I: O que são juros?
S: São o valor cobrado pelo uso de dinheiro emprestado, ou recebido por dinheiro aplicado.
I: O que é um orçamento doméstico?
S: É o planejamento das receitas e despesas de uma casa.
I: O que é um algoritmo?
S: É uma sequência finita de passos para resolver um problema ou realizar uma tarefa.
I: O que é um modelo de linguagem?
S: É um programa que aprende com muitos textos a prever a próxima palavra, ou token, de uma frase.
I: O que é um token, em modelos de linguagem?
S: É um pedaço de texto, como uma palavra, parte de palavra ou caractere, que o modelo trata como unidade.
I: O que é democracia?
S: É um regime de governo em que o poder vem do povo, que escolhe seus representantes pelo voto.
I: O que faz um vereador?
S: O vereador cria leis municipais e fiscaliza o trabalho do prefeito.
I: O que é reciclagem?
S: É o reaproveitamento de materiais usados para fabricar novos produtos.
I: O que é um clima semiárido?
S: É um clima quente, com poucas chuvas e mal distribuídas ao longo do ano.
I: O que é um arquipélago?
S: É um conjunto de ilhas próximas umas das outras, como Fernando de Noronha.
I: O que é uma península?
S: É uma porção de terra cercada de água por quase todos os lados e ligada ao continente por um deles.
I: O que é um dicionário?
S: É uma obra que reúne palavras em ordem alfabética com seus significados.
I: O que quer dizer a expressão "pagar o pato"?
S: Quer dizer levar a culpa ou sofrer as consequências por algo que outra pessoa fez.
I: O que quer dizer a expressão "chover no molhado"?
S: Quer dizer repetir algo que todos já sabem, sem acrescentar nada.
I: O que quer dizer a expressão "dar com a língua nos dentes"?
S: Quer dizer contar um segredo.
I: O que quer dizer a expressão "engolir sapo"?
S: Quer dizer aceitar algo desagradável sem reclamar.
I: O que quer dizer a expressão "custar os olhos da cara"?
S: Quer dizer ser muito caro.
I: O que quer dizer a expressão "pisar na bola"?
S: Quer dizer cometer um erro ou decepcionar alguém.
I: O que quer dizer a expressão "cair a ficha"?
S: Quer dizer finalmente entender algo.
I: O que quer dizer a expressão "fazer uma vaquinha"?
S: Quer dizer juntar dinheiro de várias pessoas para um objetivo comum.

## exemplos
I: Dê um exemplo de fruta cítrica.
S: A laranja.
I: Dê um exemplo de mamífero que vive na água.
S: O boto-cor-de-rosa, que vive nos rios da Amazônia.
I: Cite uma ave que não voa.
S: A ema, ave encontrada no Brasil, não voa.
I: Dê um exemplo de fonte de energia renovável.
S: A energia solar.
I: Dê um exemplo de substantivo próprio.
S: "Maria", que é nome de pessoa.
I: Dê um exemplo de verbo no pretérito perfeito.
S: "Corri", como em "Ontem eu corri no parque".
I: Dê um exemplo de número primo maior que 10.
S: O 13.
I: Dê um exemplo de instrumento de percussão.
S: O pandeiro.
I: Dê um exemplo de prato típico do Nordeste.
S: O baião de dois.
I: Cite um esporte praticado com raquete.
S: O tênis.
I: Dê um exemplo de réptil brasileiro.
S: O jacaré-do-pantanal.
I: Dê um exemplo de metal.
S: O ferro.
I: Dê um exemplo de bioma brasileiro.
S: O Cerrado.
I: Dê um exemplo de meio de transporte coletivo.
S: O metrô.
I: Dê um exemplo de adjetivo.
S: "Bonito", como em "O dia está bonito".
I: Dê um exemplo de palavra oxítona.
S: "Café", cuja sílaba tônica é a última.
I: Dê um exemplo de palavra paroxítona.
S: "Casa", cuja sílaba tônica é a penúltima.
I: Dê um exemplo de palavra proparoxítona.
S: "Lâmpada", cuja sílaba tônica é a antepenúltima.
I: Dê um exemplo de figura geométrica com três lados.
S: O triângulo.
I: Dê um exemplo de atitude que economiza água em casa.
S: Fechar a torneira enquanto escova os dentes.
I: Dê um exemplo de gentileza no trânsito.
S: Parar o carro para um pedestre atravessar na faixa.
I: Dê um exemplo de profissão da área da saúde.
S: Enfermeiro.
I: Dê um exemplo de animal ameaçado de extinção no Brasil.
S: O mico-leão-dourado.
I: Dê um exemplo de rio brasileiro.
S: O rio Tocantins.
I: Dê um exemplo de material reciclável.
S: O alumínio das latas de refrigerante.
I: Dê um exemplo de dança brasileira.
S: O forró.
I: Dê um exemplo de festa popular brasileira.
S: O Bumba Meu Boi, muito forte no Maranhão.
I: Dê um exemplo de fenômeno da natureza.
S: O arco-íris.
I: Dê um exemplo de verbo de ligação.
S: "Estar", como em "Ela está cansada".
I: Dê um exemplo de fração equivalente a 1/2.
S: 2/4.
I: Dê um exemplo de número par entre 10 e 20.
S: O 14.
I: Dê um exemplo de substância que se dissolve na água.
S: O sal de cozinha.
I: Dê um exemplo de inseto.
S: A formiga.
I: Dê um exemplo de pergunta educada para pedir informação na rua.
S: Com licença, poderia me dizer onde fica a estação de metrô?
I: Dê um exemplo de hábito saudável.
S: Dormir bem todas as noites.
I: Dê um exemplo de planeta gasoso.
S: Júpiter.
I: Dê um exemplo de onomatopeia.
S: "Au-au", que imita o latido do cachorro.
I: Dê um exemplo de palavra com dígrafo.
S: "Chuva", em que "ch" forma um dígrafo.
I: Dê um exemplo de metáfora.
S: "Aquele menino é uma fera no xadrez."
I: Dê um exemplo de alimento rico em proteína.
S: O ovo.

## ditados inventados
I: Complete o ditado: "Quem rega a horta cedo..."
S: Quem rega a horta cedo colhe antes do sol quente.
I: Complete o ditado: "Panela que ninguém mexe..."
S: Panela que ninguém mexe queima o feijão do dia.
I: Complete o ditado: "Rede bem amarrada..."
S: Rede bem amarrada não derruba quem descansa.
I: Complete o ditado: "Quem conta as estrelas..."
S: Quem conta as estrelas esquece de olhar o caminho.
I: Complete o ditado: "Chinelo gasto..."
S: Chinelo gasto conhece todas as ruas do bairro.
I: Complete o ditado: "Quem guarda a semente..."
S: Quem guarda a semente nunca perde a colheita.
I: Complete o ditado: "Barco sem remo..."
S: Barco sem remo só vai aonde o rio quer.
I: Complete o ditado: "Ponte pequena..."
S: Ponte pequena também atravessa o rio.
I: Complete o ditado: "Quem aprende a esperar..."
S: Quem aprende a esperar come o caju maduro.
I: Complete o ditado: "Vela acesa na ventania..."
S: Vela acesa na ventania precisa de mão em volta.
I: Complete o ditado: "Café passado com pressa..."
S: Café passado com pressa fica fraco e sem cheiro.
I: Complete o ditado: "Quem varre a própria calçada..."
S: Quem varre a própria calçada não reclama da rua.
I: Complete o ditado: "Pipa sem linha..."
S: Pipa sem linha sobe pouco e cai longe.
I: Complete o ditado: "Quem escuta o mais velho..."
S: Quem escuta o mais velho tropeça menos na estrada.
I: Complete a frase no estilo de um ditado popular.
E: Caderno bem cuidado...
S: Caderno bem cuidado guarda a lição por muitos anos.
E: Quem pesca em rio raso...
S: Quem pesca em rio raso só pega peixe pequeno.
E: Fogão a lenha...
S: Fogão a lenha demora a esquentar, mas não esfria à toa.
E: Quem divide o pão...
S: Quem divide o pão nunca janta sozinho.
E: Bicicleta parada...
S: Bicicleta parada enferruja a corrente.
E: Quem lê a receita inteira...
S: Quem lê a receita inteira não desanda o bolo.
E: Galo que canta fora de hora...
S: Galo que canta fora de hora acorda só a si mesmo.
E: Mochila leve...
S: Mochila leve deixa o passo firme.
E: Quem anota o caminho...
S: Quem anota o caminho volta para casa sem perguntar.
E: Chuva de verão...
S: Chuva de verão molha rápido e seca antes do almoço.
E: Quem pergunta ao feirante...
S: Quem pergunta ao feirante leva a fruta mais doce.
E: Janela aberta de manhã...
S: Janela aberta de manhã deixa a casa com cheiro de dia novo.
E: Quem afina o violão antes...
S: Quem afina o violão antes não atrapalha a roda de samba.
E: Telhado consertado no sol...
S: Telhado consertado no sol não goteja na chuva.
I: Explique o sentido do ditado.
E: Quem divide o pão nunca janta sozinho.
S: Quem é generoso costuma ter amigos e companhia por perto.
E: Barco sem remo só vai aonde o rio quer.
S: Quem não toma as próprias decisões acaba levado pelas circunstâncias.
E: Quem aprende a esperar come o caju maduro.
S: A paciência traz resultados melhores do que a pressa.
E: Ponte pequena também atravessa o rio.
S: Mesmo recursos modestos podem resolver um problema.
E: Quem varre a própria calçada não reclama da rua.
S: Quem faz a sua parte tem menos motivos para culpar os outros.
E: Pipa sem linha sobe pouco e cai longe.
S: Sem orientação e limites, os esforços não rendem e se perdem.

## matemática e raciocínio
I: Se hoje é segunda-feira, que dia será depois de amanhã?
S: Quarta-feira.
I: Se ontem foi sábado, que dia é amanhã?
S: Segunda-feira.
I: Ana é mais alta que Bia, e Bia é mais alta que Carol. Quem é a mais baixa?
S: Carol.
I: Um pai tem três filhos homens, e cada um deles tem uma única irmã, a mesma para todos. Quantos filhos o pai tem ao todo?
S: Quatro: três meninos e uma menina.
I: O que pesa mais: um quilo de algodão ou um quilo de ferro?
S: Pesam o mesmo, pois os dois têm um quilo.
I: Complete a sequência.
E: 2, 4, 6, 8, ...
S: 10, porque a sequência aumenta de 2 em 2.
E: 3, 6, 9, 12, ...
S: 15, porque a sequência aumenta de 3 em 3.
E: 1, 2, 4, 8, ...
S: 16, pois cada número é o dobro do anterior.
E: 50, 45, 40, 35, ...
S: 30, porque a sequência diminui de 5 em 5.
E: 1, 4, 9, 16, ...
S: 25, pois são os quadrados de 1, 2, 3, 4 e 5.
E: A, C, E, G, ...
S: I, pulando uma letra a cada vez.
E: 100, 90, 80, 70, ...
S: 60, porque a sequência diminui de 10 em 10.
I: Um ônibus sai às 14h e a viagem dura 3 horas. A que horas ele chega?
S: Às 17h.
I: Um filme começa às 19h30 e dura 2 horas. A que horas termina?
S: Às 21h30.
I: Maria nasceu em 2010. Quantos anos ela completa em 2025?
S: 15 anos.
I: Qual é a metade de 50?
S: 25.
I: Qual é o dobro de 35?
S: 70.
I: Qual é o triplo de 12?
S: 36.
I: Quanto é 10% de 200?
S: 10% de 200 é 20.
I: Quanto é 25% de 80?
S: 25% de 80 é 20.
I: Quanto é 50% de 90?
S: 50% de 90 é 45, que é a metade de 90.
I: Quantos minutos há em uma hora e meia?
S: 90 minutos.
I: Quantos centímetros tem meio metro?
S: 50 centímetros.
I: Um caderno custa 8 reais. Quanto custam 3 cadernos?
S: 24 reais, porque 3 × 8 = 24.
I: Comprei um lanche de 13 reais e paguei com uma nota de 20. Quanto recebi de troco?
S: 7 reais, porque 20 - 13 = 7.
I: Qual é a área de um retângulo de 5 m por 3 m?
S: 15 metros quadrados, porque 5 × 3 = 15.
I: Qual é o perímetro de um quadrado com lado de 4 cm?
S: 16 centímetros, porque 4 × 4 = 16.
I: Quantos lados tem um hexágono?
S: Seis lados.
I: Quantos lados tem um pentágono?
S: Cinco lados.
I: Quantos graus tem um ângulo reto?
S: 90 graus.
I: Quanto vale a soma dos ângulos internos de um triângulo?
S: 180 graus.
I: Qual é a raiz quadrada de 81?
S: 9, porque 9 × 9 = 81.
I: Qual é a raiz quadrada de 49?
S: 7, porque 7 × 7 = 49.
I: Quanto é 2 elevado a 5?
S: 32.
I: Quanto é 3/4 de 40?
S: 30.
I: Quantos dias tem um ano bissexto?
S: 366 dias.
I: Quantos anos tem um século?
S: Cem anos.
I: Quantos anos tem uma década?
S: Dez anos.
I: Quantos anos tem um milênio?
S: Mil anos.
I: Escreva o número em algarismos romanos.
E: 14
S: XIV
E: 49
S: XLIX
E: 1500
S: MD
E: 2024
S: MMXXIV
E: 90
S: XC
I: Qual é a média de 4, 6 e 8?
S: 6, porque (4 + 6 + 8) ÷ 3 = 6.
I: Se 5 lápis custam 10 reais, quanto custa 1 lápis?
S: 2 reais, porque 10 ÷ 5 = 2.

## escrita e dia a dia
I: Escreva uma frase com a palavra "horizonte".
S: Do alto do morro, víamos o sol se pôr no horizonte.
I: Escreva uma frase com a palavra "paciência".
S: Aprender a tocar violão exige paciência.
I: Escreva uma frase com a palavra "chuva".
S: A chuva de ontem encheu o açude da fazenda.
I: Escreva uma frase com a palavra "biblioteca".
S: Passei a tarde estudando na biblioteca da escola.
I: Escreva uma frase com a palavra "amizade".
S: A amizade dos dois começou no primeiro dia de aula.
I: Escreva uma frase com a palavra "coragem".
S: Foi preciso coragem para falar em público pela primeira vez.
I: Escreva uma frase com a palavra "feira".
S: Aos domingos, compramos frutas frescas na feira do bairro.
I: Escreva uma frase com a palavra "computador".
S: Meu computador ficou lento depois da atualização.
I: Escreva uma frase com a palavra "futuro".
S: Ela está economizando para o futuro.
I: Escreva uma frase com a palavra "jangada".
S: O pescador saiu de jangada antes do nascer do sol.
I: Como posso economizar energia elétrica em casa?
S: Apague as luzes ao sair dos cômodos, tire aparelhos da tomada e prefira lâmpadas de LED.
I: O que devo levar para um dia de praia?
S: Protetor solar, água, chapéu, toalha e um lanche leve.
I: Dê uma dica para estudar melhor.
S: Estude em blocos curtos, com pausas, e revise o conteúdo no dia seguinte.
I: O que fazer em caso de uma pequena queimadura na pele?
S: Deixe a área sob água corrente fria por alguns minutos e não passe pasta de dente nem manteiga.
I: Como se prepara um café coado?
S: Aqueça a água sem deixar ferver, coloque o pó no filtro e despeje a água aos poucos.
I: Por que é importante lavar as mãos?
S: Porque a lavagem remove sujeira e micróbios que podem causar doenças.
I: Como agradecer um presente de forma educada?
S: Você pode dizer: "Muito obrigado pelo presente, adorei a lembrança!"
I: Sugira um nome para uma padaria de bairro.
S: Padaria Pão da Vila.
I: Sugira um nome para um gato laranja.
S: Que tal "Caju"?
I: Escreva uma mensagem curta de parabéns para um amigo.
S: Parabéns pelo seu dia! Que o novo ano traga saúde, alegria e boas conquistas.
I: Escreva uma mensagem curta pedindo desculpas pelo atraso.
S: Desculpe o atraso; tive um imprevisto, mas já estou a caminho.
I: Escreva um convite curto para um churrasco no sábado.
S: Vamos fazer um churrasco no sábado, ao meio-dia, aqui em casa. Conto com a sua presença!
I: Escreva uma mensagem curta para avisar que vai faltar à aula.
S: Professora, não poderei ir à aula hoje porque estou doente. Depois pego a matéria com os colegas.
I: Dê uma dica para economizar dinheiro no supermercado.
S: Faça uma lista antes de sair e compre só o que estiver nela.
I: O que fazer se o celular cair na água?
S: Desligue o aparelho, seque por fora e espere secar bem antes de ligar de novo.
I: Como se proteger do sol forte?
S: Use protetor solar, chapéu e roupas leves, e evite o sol entre 10h e 16h.
I: Responda de forma educada a um cliente que perguntou se a loja abre no domingo; ela não abre.
S: Infelizmente não abrimos aos domingos, mas teremos prazer em atendê-lo a partir de segunda-feira.
I: Escreva uma frase para uma placa pedindo silêncio na biblioteca.
S: Por favor, mantenha o silêncio: há pessoas estudando.
I: Escreva uma legenda curta para uma foto de pôr do sol na praia.
S: Fim de tarde com o céu pintado de laranja.
I: Sugira uma atividade para um dia de chuva em casa.
S: Montar um quebra-cabeça com a família.
I: Como pedir uma informação a um desconhecido de forma educada?
S: Comece com "Com licença" ou "Por favor", faça a pergunta e agradeça no final.
I: Escreva um bilhete curto avisando que o almoço está na geladeira.
S: Deixei o almoço na geladeira; é só esquentar. Beijos!
I: Qual é a melhor forma de descartar pilhas usadas?
S: Levar a um ponto de coleta específico, nunca jogar no lixo comum.
I: O que é importante fazer antes de atravessar a rua?
S: Olhar para os dois lados e atravessar na faixa de pedestres, com o sinal aberto para você.
"""


def parse_handwritten(text: str) -> list[tuple[str, dict]]:
    """Turn the HANDWRITTEN block into (category, example) pairs."""
    out, category, instruction, pending = [], None, None, None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        tag, _, value = line.partition(" ")
        if tag == "##":
            category, instruction, pending = value, None, None
        elif tag == "I:":
            instruction, pending = value, None
        elif tag == "E:":
            assert pending is None, f"line {n}: two inputs in a row"
            pending = value
        elif tag == "S:":
            assert category and instruction, f"line {n}: output before category/instruction"
            out.append(
                (category, {"instruction": instruction, "input": pending or "", "output": value})
            )
            pending = None
        else:
            raise ValueError(f"line {n}: unknown tag {tag!r}")
    assert pending is None, "input without output at the end"
    return out


# ---------------------------------------------------------------------------------------------
# Generated part: fact tables typed by hand + templates.
# ---------------------------------------------------------------------------------------------

# (state, "de" form, capital, region)
STATES = [
    ("Acre", "do Acre", "Rio Branco", "Norte"),
    ("Alagoas", "de Alagoas", "Maceió", "Nordeste"),
    ("Amapá", "do Amapá", "Macapá", "Norte"),
    ("Amazonas", "do Amazonas", "Manaus", "Norte"),
    ("Bahia", "da Bahia", "Salvador", "Nordeste"),
    ("Ceará", "do Ceará", "Fortaleza", "Nordeste"),
    ("Espírito Santo", "do Espírito Santo", "Vitória", "Sudeste"),
    ("Goiás", "de Goiás", "Goiânia", "Centro-Oeste"),
    ("Maranhão", "do Maranhão", "São Luís", "Nordeste"),
    ("Mato Grosso", "de Mato Grosso", "Cuiabá", "Centro-Oeste"),
    ("Mato Grosso do Sul", "de Mato Grosso do Sul", "Campo Grande", "Centro-Oeste"),
    ("Minas Gerais", "de Minas Gerais", "Belo Horizonte", "Sudeste"),
    ("Pará", "do Pará", "Belém", "Norte"),
    ("Paraíba", "da Paraíba", "João Pessoa", "Nordeste"),
    ("Paraná", "do Paraná", "Curitiba", "Sul"),
    ("Pernambuco", "de Pernambuco", "Recife", "Nordeste"),
    ("Piauí", "do Piauí", "Teresina", "Nordeste"),
    ("Rio de Janeiro", "do Rio de Janeiro", "Rio de Janeiro", "Sudeste"),
    ("Rio Grande do Norte", "do Rio Grande do Norte", "Natal", "Nordeste"),
    ("Rio Grande do Sul", "do Rio Grande do Sul", "Porto Alegre", "Sul"),
    ("Rondônia", "de Rondônia", "Porto Velho", "Norte"),
    ("Roraima", "de Roraima", "Boa Vista", "Norte"),
    ("Santa Catarina", "de Santa Catarina", "Florianópolis", "Sul"),
    ("São Paulo", "de São Paulo", "São Paulo", "Sudeste"),
    ("Sergipe", "de Sergipe", "Aracaju", "Nordeste"),
    ("Tocantins", "do Tocantins", "Palmas", "Norte"),
]


def gen_capitals():
    for i, (state, de, capital, region) in enumerate(STATES):
        ask = ["Qual é a capital {de}?", "Qual cidade é a capital do estado {de}?"][i % 2]
        # "A capital de São Paulo é a cidade de São Paulo."
        city = f"a cidade {de}" if capital == state else capital
        yield {"instruction": ask.format(de=de), "input": "", "output": f"A capital {de} é {city}."}
        if capital == state:
            yield {
                "instruction": f"A cidade {de} é capital de qual estado?",
                "input": "",
                "output": f"A cidade {de} é a capital do estado {de}, que tem o mesmo nome.",
            }
        else:
            yield {
                "instruction": f"{capital} é capital de qual estado brasileiro?",
                "input": "",
                "output": f"{capital} é a capital {de}.",
            }
        article = {"do": "O ", "da": "A ", "de": ""}[de.split()[0]]
        yield {
            "instruction": f"Em qual região do Brasil fica o estado {de}?",
            "input": "",
            "output": f"{article}{state} fica na Região {region}.",
        }


# (singular, plural)
PLURALS = [
    ("flor", "flores"),
    ("mar", "mares"),
    ("luz", "luzes"),
    ("vez", "vezes"),
    ("nariz", "narizes"),
    ("animal", "animais"),
    ("papel", "papéis"),
    ("anel", "anéis"),
    ("hotel", "hotéis"),
    ("fuzil", "fuzis"),
    ("funil", "funis"),
    ("barril", "barris"),
    ("réptil", "répteis"),
    ("fóssil", "fósseis"),
    ("míssil", "mísseis"),
    ("lençol", "lençóis"),
    ("farol", "faróis"),
    ("anzol", "anzóis"),
    ("azul", "azuis"),
    ("pão", "pães"),
    ("mão", "mãos"),
    ("cão", "cães"),
    ("irmão", "irmãos"),
    ("alemão", "alemães"),
    ("capitão", "capitães"),
    ("limão", "limões"),
    ("avião", "aviões"),
    ("coração", "corações"),
    ("leão", "leões"),
    ("balão", "balões"),
    ("botão", "botões"),
    ("órgão", "órgãos"),
    ("bênção", "bênçãos"),
    ("mês", "meses"),
    ("país", "países"),
    ("gás", "gases"),
    ("ônibus", "ônibus"),
    ("lápis", "lápis"),
    ("vírus", "vírus"),
    ("pires", "pires"),
    ("jovem", "jovens"),
    ("homem", "homens"),
    ("nuvem", "nuvens"),
    ("armazém", "armazéns"),
    ("som", "sons"),
    ("atum", "atuns"),
    ("álbum", "álbuns"),
    ("jardim", "jardins"),
    ("mulher", "mulheres"),
    ("colher", "colheres"),
    ("açúcar", "açúcares"),
    ("caráter", "caracteres"),
    ("repórter", "repórteres"),
    ("xadrez", "xadrezes"),
    ("cartaz", "cartazes"),
    ("raiz", "raízes"),
    ("juiz", "juízes"),
    ("cruz", "cruzes"),
    ("voz", "vozes"),
    ("degrau", "degraus"),
    ("chapéu", "chapéus"),
    ("troféu", "troféus"),
    ("pneu", "pneus"),
    ("herói", "heróis"),
    ("lei", "leis"),
    ("sol", "sóis"),
    ("girassol", "girassóis"),
    ("jornal", "jornais"),
    ("real", "reais"),
    ("pastel", "pastéis"),
    ("túnel", "túneis"),
    ("fácil", "fáceis"),
    ("cônsul", "cônsules"),
    ("guarda-chuva", "guarda-chuvas"),
    ("beija-flor", "beija-flores"),
    ("segunda-feira", "segundas-feiras"),
    ("cachorro-quente", "cachorros-quentes"),
    ("obra-prima", "obras-primas"),
    ("pé de moleque", "pés de moleque"),
    ("sofá", "sofás"),
    ("maçã", "maçãs"),
    ("questão", "questões"),
    ("opinião", "opiniões"),
    ("cidadão", "cidadãos"),
    ("estação", "estações"),
    ("feijão", "feijões"),
    ("caminhão", "caminhões"),
    ("grão", "grãos"),
]


def gen_plurals():
    for i, (s, p) in enumerate(PLURALS):
        if s == p:
            out = f'"{s.capitalize()}" não muda no plural: o {s}, os {p}.'
        elif i % 3 != 1:
            out = f'O plural de "{s}" é "{p}".'
        else:
            out = p
        if i % 3 != 1:
            yield {"instruction": f'Qual é o plural de "{s}"?', "input": "", "output": out}
        else:
            yield {"instruction": "Escreva o plural da palavra.", "input": s, "output": out}


def fmt(x) -> str:
    """pt-BR number: dot between thousands, comma before decimals."""
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    if isinstance(x, int):
        return f"{x:,}".replace(",", ".")
    whole, frac = f"{x:.2f}".rstrip("0").split(".")
    return f"{int(whole):,}".replace(",", ".") + "," + frac


# (singular, plural, gender of the plural noun) for each unit
UNITS = {
    "km": ("quilômetro", "quilômetros", "m"),
    "m": ("metro", "metros", "m"),
    "cm": ("centímetro", "centímetros", "m"),
    "mm": ("milímetro", "milímetros", "m"),
    "kg": ("quilograma", "quilogramas", "m"),
    "g": ("grama", "gramas", "m"),
    "t": ("tonelada", "toneladas", "f"),
    "L": ("litro", "litros", "m"),
    "mL": ("mililitro", "mililitros", "m"),
    "h": ("hora", "horas", "f"),
    "min": ("minuto", "minutos", "m"),
    "s": ("segundo", "segundos", "m"),
    "d": ("dia", "dias", "m"),
    "sem": ("semana", "semanas", "f"),
    "ano": ("ano", "anos", "m"),
    "mes": ("mês", "meses", "m"),
    "dz": ("dúzia", "dúzias", "f"),
    "un": ("unidade", "unidades", "f"),
}
# (from, to, factor, values); the reverse direction divides
CONVERSIONS = [
    ("km", "m", 1000, [1, 3, 5, 12]),
    ("m", "cm", 100, [1, 2, 7, 15]),
    ("cm", "mm", 10, [4, 9, 25]),
    ("kg", "g", 1000, [1, 2, 6]),
    ("t", "kg", 1000, [2, 4]),
    ("L", "mL", 1000, [1, 2, 5]),
    ("h", "min", 60, [1, 2, 3, 5]),
    ("min", "s", 60, [1, 2, 10]),
    ("d", "h", 24, [1, 2, 3]),
    ("sem", "d", 7, [2, 3, 4, 6]),
    ("ano", "mes", 12, [2, 3, 5]),
    ("dz", "un", 12, [1, 2, 3]),
]
REVERSE = [
    ("m", "km", 1000, [2000, 2500, 7000]),
    ("cm", "m", 100, [300, 250, 450]),
    ("g", "kg", 1000, [3000, 500, 1500]),
    ("mL", "L", 1000, [2000, 250]),
    ("min", "h", 60, [120, 90, 180, 30]),
    ("h", "d", 24, [48, 72]),
    ("mm", "cm", 10, [50, 85]),
]


def unit_word(code: str, value) -> str:
    sing, plur, _ = UNITS[code]
    return sing if value < 2 else plur  # pt-BR: quantities below 2 take the singular


def gen_units():
    i = 0
    rows = [(a, b, v, v * f) for a, b, f, vals in CONVERSIONS for v in vals]
    rows += [(a, b, v, v / f) for a, b, f, vals in REVERSE for v in vals]
    for a, b, v, w in rows:
        src, dst = f"{fmt(v)} {unit_word(a, v)}", f"{fmt(w)} {unit_word(b, w)}"
        plural_b = UNITS[b][1]
        quantos = "Quantas" if UNITS[b][2] == "f" else "Quantos"
        verb = "equivale" if v < 2 else "equivalem"
        out = f"{src} {verb} a {dst}."
        kind = i % 4
        if kind in (0, 3):
            yield {"instruction": f"Converta {src} para {plural_b}.", "input": "", "output": out}
        elif kind == 1:
            yield {"instruction": f"{quantos} {plural_b} há em {src}?", "input": "", "output": out}
        else:
            yield {"instruction": f"Converta o valor para {plural_b}.", "input": src, "output": out}
        i += 1
    for c in [0, 10, 20, 25, 30, 35, 40, 100]:
        f = c * 9 // 5 + 32
        g = "grau" if c < 2 else "graus"
        yield {
            "instruction": f"Converta {c} {g} Celsius para Fahrenheit.",
            "input": "",
            "output": f"{c} {g} Celsius correspondem a {f} graus Fahrenheit."
            if c >= 2
            else f"{c} grau Celsius corresponde a {f} graus Fahrenheit.",
        }


NAMES = [
    ("Ana", "f"),
    ("Pedro", "m"),
    ("Júlia", "f"),
    ("Lucas", "m"),
    ("Beatriz", "f"),
    ("Rafael", "m"),
    ("Camila", "f"),
    ("Gabriel", "m"),
    ("Larissa", "f"),
    ("Thiago", "m"),
]
THINGS = [
    ("figurinhas", "f"),
    ("bolinhas de gude", "f"),
    ("livros", "m"),
    ("lápis", "m"),
    ("balas", "f"),
    ("laranjas", "f"),
    ("carrinhos", "m"),
    ("adesivos", "m"),
]


def gen_arithmetic(rng: random.Random):
    seen = set()

    def pair(lo, hi, ok=lambda a, b: True):
        while True:
            a, b = rng.randint(lo, hi), rng.randint(lo, hi)
            if ok(a, b) and (a, b) not in seen:
                seen.add((a, b))
                return a, b

    add_q = ["Quanto é {a} + {b}?", "Quanto é {a} mais {b}?", "Calcule {a} + {b}."]
    for i in range(18):
        a, b = pair(2, 99)
        if i % 6 == 5:
            yield {
                "instruction": "Resolva a conta.",
                "input": f"{a} + {b}",
                "output": f"{a} + {b} = {a + b}.",
            }
        else:
            yield {
                "instruction": add_q[i % 3].format(a=a, b=b),
                "input": "",
                "output": f"{a} + {b} = {a + b}.",
            }
    sub_q = ["Quanto é {a} - {b}?", "Quanto é {a} menos {b}?", "Calcule {a} - {b}."]
    for i in range(18):
        a, b = pair(5, 99, lambda a, b: a > b)
        if i % 6 == 5:
            yield {
                "instruction": "Resolva a conta.",
                "input": f"{a} - {b}",
                "output": f"{a} - {b} = {a - b}.",
            }
        else:
            yield {
                "instruction": sub_q[i % 3].format(a=a, b=b),
                "input": "",
                "output": f"{a} - {b} = {a - b}.",
            }
    mul_q = ["Quanto é {a} vezes {b}?", "Quanto é {a} × {b}?", "Multiplique {a} por {b}."]
    for i in range(18):
        a, b = pair(2, 12, lambda a, b: (b, a) not in seen)
        if i % 6 == 5:
            yield {
                "instruction": "Resolva a conta.",
                "input": f"{a} × {b}",
                "output": f"{a} × {b} = {a * b}.",
            }
        else:
            yield {
                "instruction": mul_q[i % 3].format(a=a, b=b),
                "input": "",
                "output": f"{a} × {b} = {a * b}.",
            }
    div_q = ["Quanto é {n} dividido por {b}?", "Quanto é {n} ÷ {b}?", "Divida {n} por {b}."]
    for i in range(12):
        q, b = pair(2, 12, lambda q, b: (b * q, b) not in seen)
        n = q * b
        seen.add((n, b))
        if i % 6 == 5:
            yield {
                "instruction": "Resolva a conta.",
                "input": f"{n} ÷ {b}",
                "output": f"{n} ÷ {b} = {q}.",
            }
        else:
            yield {
                "instruction": div_q[i % 3].format(n=n, b=b),
                "input": "",
                "output": f"{n} ÷ {b} = {q}.",
            }
    # word problems
    for i in range(20):
        name, g = NAMES[i % len(NAMES)]
        thing, tg = THINGS[(i * 3) % len(THINGS)]
        ele = "ela" if g == "f" else "ele"
        quantos = "Quantas" if tg == "f" else "Quantos"
        kind = i % 4
        if kind == 0:
            a, b = rng.randint(5, 40), rng.randint(2, 20)
            q = f"{name} tinha {a} {thing} e ganhou mais {b}. Com {quantos.lower()} {thing} {ele} ficou?"
            s = f"{name} ficou com {a + b} {thing}, porque {a} + {b} = {a + b}."
        elif kind == 1:
            a = rng.randint(12, 50)
            b = rng.randint(2, a - 2)
            amigo = "uma amiga" if i % 8 == 1 else "um amigo"
            q = f"{name} tinha {a} {thing} e deu {b} para {amigo}. {quantos} {thing} sobraram?"
            s = f"Sobraram {a - b} {thing}, porque {a} - {b} = {a - b}."
        elif kind == 2:
            a, b = rng.randint(2, 9), rng.randint(2, 10)
            q = f"{name} comprou {a} pacotes com {b} {thing} cada um. {quantos} {thing} {ele} comprou ao todo?"
            s = f"{name} comprou {a * b} {thing} ao todo, porque {a} × {b} = {a * b}."
        else:
            b, c = rng.randint(2, 6), rng.randint(2, 9)
            q = (
                f"{name} quer dividir {b * c} {thing} igualmente entre {b} amigos. "
                f"{quantos} {thing} cada amigo vai receber?"
            )
            s = f"Cada amigo vai receber {c} {thing}, porque {b * c} ÷ {b} = {c}."
        yield {"instruction": q, "input": "", "output": s}


UNITS_W = [
    "",
    "um",
    "dois",
    "três",
    "quatro",
    "cinco",
    "seis",
    "sete",
    "oito",
    "nove",
    "dez",
    "onze",
    "doze",
    "treze",
    "catorze",
    "quinze",
    "dezesseis",
    "dezessete",
    "dezoito",
    "dezenove",
]
TENS_W = [
    "",
    "",
    "vinte",
    "trinta",
    "quarenta",
    "cinquenta",
    "sessenta",
    "setenta",
    "oitenta",
    "noventa",
]
HUNDREDS_W = [
    "",
    "cento",
    "duzentos",
    "trezentos",
    "quatrocentos",
    "quinhentos",
    "seiscentos",
    "setecentos",
    "oitocentos",
    "novecentos",
]


def by_extenso(n: int) -> str:
    """Cardinal number in pt-BR words, 0..1000."""
    if n == 0:
        return "zero"
    if n == 1000:
        return "mil"
    if n == 100:
        return "cem"
    parts = []
    h, rest = divmod(n, 100)
    if h:
        parts.append(HUNDREDS_W[h])
    if rest < 20:
        if rest:
            parts.append(UNITS_W[rest])
    else:
        t, u = divmod(rest, 10)
        parts.append(TENS_W[t])
        if u:
            parts.append(UNITS_W[u])
    return " e ".join(parts)


def gen_numbers():
    for i, n in enumerate(
        [
            7,
            11,
            14,
            16,
            19,
            23,
            38,
            45,
            57,
            61,
            70,
            84,
            99,
            100,
            101,
            115,
            150,
            200,
            230,
            342,
            409,
            500,
            777,
            813,
            999,
            1000,
        ]
    ):
        words = by_extenso(n)
        if i % 3 == 1:
            yield {
                "instruction": "Escreva o número por extenso.",
                "input": fmt(n),
                "output": words.capitalize() + ".",
            }
        else:
            yield {
                "instruction": f"Como se escreve {fmt(n)} por extenso?",
                "input": "",
                "output": f'{fmt(n)} se escreve "{words}".',
            }
    for n in [12, 17, 30, 46, 51, 73, 88, 95, 104, 263, 358, 997, 420, 641, 1000]:
        kind = (
            "par, porque é divisível por 2" if n % 2 == 0 else "ímpar, porque não é divisível por 2"
        )
        yield {
            "instruction": f"O número {fmt(n)} é par ou ímpar?",
            "input": "",
            "output": f"{fmt(n)} é {kind}.",
        }
    for i, (a, b) in enumerate(
        [
            (38, 83),
            (105, 150),
            (47, 74),
            (219, 291),
            (66, 606),
            (0, 1),
            (510, 501),
            (1200, 999),
            (73, 37),
            (18, 81),
            (250, 205),
            (64, 46),
            (909, 990),
            (12, 120),
            (333, 303),
        ]
    ):
        big, small = max(a, b), min(a, b)
        if i % 2 == 0:
            yield {
                "instruction": f"Qual número é maior: {fmt(a)} ou {fmt(b)}?",
                "input": "",
                "output": f"{fmt(big)} é maior que {fmt(small)}.",
            }
        else:
            yield {
                "instruction": f"Qual número é menor: {fmt(a)} ou {fmt(b)}?",
                "input": "",
                "output": f"{fmt(small)} é menor que {fmt(big)}.",
            }


MONTHS = [
    ("janeiro", 31),
    ("fevereiro", 28),
    ("março", 31),
    ("abril", 30),
    ("maio", 31),
    ("junho", 30),
    ("julho", 31),
    ("agosto", 31),
    ("setembro", 30),
    ("outubro", 31),
    ("novembro", 30),
    ("dezembro", 31),
]
WEEKDAYS = [
    "domingo",
    "segunda-feira",
    "terça-feira",
    "quarta-feira",
    "quinta-feira",
    "sexta-feira",
    "sábado",
]


def gen_calendar():
    for i, (m, days) in enumerate(MONTHS):
        nxt = MONTHS[(i + 1) % 12][0]
        tail = ", do ano seguinte" if i == 11 else ""
        yield {
            "instruction": f"Que mês vem depois de {m}?",
            "input": "",
            "output": f"Depois de {m} vem {nxt}{tail}.",
        }
        out = (
            f"{m.capitalize()} tem 28 dias, ou 29 nos anos bissextos."
            if m == "fevereiro"
            else f"{m.capitalize()} tem {days} dias."
        )
        yield {"instruction": f"Quantos dias tem o mês de {m}?", "input": "", "output": out}
        yield {
            "instruction": f"Qual é o número do mês de {m} no calendário?",
            "input": "",
            "output": f"{m.capitalize()} é o mês {i + 1} do ano.",
        }
    for i, d in enumerate(WEEKDAYS):
        yield {
            "instruction": f"Que dia da semana vem depois {'do' if i in (0, 6) else 'da'} {d}?",
            "input": "",
            "output": f"Depois {'do' if i in (0, 6) else 'da'} {d} vem {'o' if (i + 1) % 7 in (0, 6) else 'a'} "
            f"{WEEKDAYS[(i + 1) % 7]}.",
        }


SYNONYMS = [
    ("alegre", "contente"),
    ("rápido", "veloz"),
    ("bonito", "belo"),
    ("difícil", "complicado"),
    ("começar", "iniciar"),
    ("terminar", "concluir"),
    ("casa", "lar"),
    ("carro", "automóvel"),
    ("medo", "temor"),
    ("olhar", "observar"),
    ("grande", "amplo"),
    ("pequeno", "diminuto"),
    ("cansado", "exausto"),
    ("triste", "infeliz"),
    ("ajudar", "auxiliar"),
    ("escolher", "selecionar"),
    ("caminho", "trajeto"),
    ("morar", "residir"),
    ("famoso", "célebre"),
    ("calmo", "tranquilo"),
    ("perigo", "risco"),
    ("rico", "abastado"),
    ("pedir", "solicitar"),
    ("corajoso", "valente"),
    ("lento", "vagaroso"),
    ("erro", "equívoco"),
    ("jeito", "maneira"),
    ("aluno", "estudante"),
    ("morrer", "falecer"),
    ("gostar", "apreciar"),
    ("construir", "edificar"),
    ("bravo", "zangado"),
    ("cheiro", "odor"),
    ("barulho", "ruído"),
    ("lindo", "formoso"),
]
ANTONYMS = [
    ("quente", "frio"),
    ("alto", "baixo"),
    ("claro", "escuro"),
    ("cheio", "vazio"),
    ("forte", "fraco"),
    ("aberto", "fechado"),
    ("ganhar", "perder"),
    ("entrar", "sair"),
    ("subir", "descer"),
    ("rico", "pobre"),
    ("feliz", "triste"),
    ("limpo", "sujo"),
    ("cedo", "tarde"),
    ("perto", "longe"),
    ("antes", "depois"),
    ("amor", "ódio"),
    ("verdade", "mentira"),
    ("comprar", "vender"),
    ("lembrar", "esquecer"),
    ("seco", "molhado"),
    ("leve", "pesado"),
    ("largo", "estreito"),
    ("gordo", "magro"),
    ("duro", "mole"),
    ("dentro", "fora"),
    ("início", "fim"),
    ("paz", "guerra"),
    ("sempre", "nunca"),
    ("acender", "apagar"),
    ("aceitar", "recusar"),
    ("barato", "caro"),
    ("doce", "amargo"),
    ("jovem", "idoso"),
    ("presente", "ausente"),
    ("possível", "impossível"),
]


def gen_words():
    syn_q = [
        'Dê um sinônimo de "{w}".',
        'Qual é um sinônimo de "{w}"?',
        'Escreva uma palavra com sentido parecido ao de "{w}".',
    ]
    for i, (w, s) in enumerate(SYNONYMS):
        yield {
            "instruction": syn_q[i % 3].format(w=w),
            "input": "",
            "output": f'Um sinônimo de "{w}" é "{s}".',
        }
    for i, (w, a) in enumerate(ANTONYMS):
        if i % 3 == 2:
            yield {"instruction": "Escreva o antônimo da palavra.", "input": w, "output": a}
        else:
            q = ['Dê um antônimo de "{w}".', 'Qual é o contrário de "{w}"?'][i % 3]
            yield {
                "instruction": q.format(w=w),
                "input": "",
                "output": f'O antônimo de "{w}" é "{a}".',
            }


WORDS_EN = [
    ("maçã", "apple"),
    ("janela", "window"),
    ("cadeira", "chair"),
    ("estrela", "star"),
    ("chuva", "rain"),
    ("cozinha", "kitchen"),
    ("sapato", "shoe"),
    ("amigo", "friend"),
    ("escola", "school"),
    ("lua", "moon"),
    ("cachorro", "dog"),
    ("árvore", "tree"),
    ("pássaro", "bird"),
    ("mesa", "table"),
    ("porta", "door"),
    ("praia", "beach"),
    ("dinheiro", "money"),
    ("leite", "milk"),
    ("pão", "bread"),
    ("rio", "river"),
    ("flor", "flower"),
    ("céu", "sky"),
]
COLLECTIVES = [
    ("lobos", "alcateia"),
    ("abelhas", "enxame"),
    ("peixes", "cardume"),
    ("estrelas", "constelação"),
    ("ilhas", "arquipélago"),
    ("bois", "boiada"),
    ("cães", "matilha"),
    ("soldados", "tropa"),
    ("navios", "frota"),
    ("chaves", "molho"),
    ("montanhas", "cordilheira"),
    ("pessoas", "multidão"),
]
FEMININES = [
    ("ator", "atriz"),
    ("galo", "galinha"),
    ("cavalo", "égua"),
    ("boi", "vaca"),
    ("rei", "rainha"),
    ("príncipe", "princesa"),
    ("genro", "nora"),
    ("padrinho", "madrinha"),
    ("bode", "cabra"),
    ("carneiro", "ovelha"),
    ("leão", "leoa"),
    ("imperador", "imperatriz"),
    ("herói", "heroína"),
    ("frade", "freira"),
    ("barão", "baronesa"),
    ("cidadão", "cidadã"),
    ("réu", "ré"),
    ("avô", "avó"),
    ("juiz", "juíza"),
    ("compadre", "comadre"),
    ("conde", "condessa"),
    ("padrasto", "madrasta"),
]


def gen_vocab():
    for i, (pt, en) in enumerate(WORDS_EN):
        if i % 3 == 2:
            yield {"instruction": "Traduza a palavra para o inglês.", "input": pt, "output": en}
        else:
            yield {
                "instruction": f'Como se diz "{pt}" em inglês?',
                "input": "",
                "output": f'Em inglês, "{pt}" se diz "{en}".',
            }
    for w, c in COLLECTIVES:
        yield {
            "instruction": f'Qual é o substantivo coletivo de "{w}"?',
            "input": "",
            "output": f'O coletivo de "{w}" é "{c}".',
        }
    for i, (m, f) in enumerate(FEMININES):
        if i % 3 == 1:
            yield {"instruction": "Escreva o feminino da palavra.", "input": m, "output": f}
        else:
            yield {
                "instruction": f'Qual é o feminino de "{m}"?',
                "input": "",
                "output": f'O feminino de "{m}" é "{f}".',
            }


def generated(rng: random.Random) -> list[tuple[str, dict]]:
    groups = [
        ("capitais e regiões (gerado)", gen_capitals()),
        ("plurais (gerado)", gen_plurals()),
        ("conversão de unidades (gerado)", gen_units()),
        ("aritmética (gerado)", gen_arithmetic(rng)),
        ("números (gerado)", gen_numbers()),
        ("calendário (gerado)", gen_calendar()),
        ("sinônimos e antônimos (gerado)", gen_words()),
        ("vocabulário (gerado)", gen_vocab()),
    ]
    return [(name, ex) for name, it in groups for ex in it]


def build() -> tuple[list[dict], list[tuple[str, dict]], list[tuple[str, dict]]]:
    rng = random.Random(SEED)
    hand = parse_handwritten(HANDWRITTEN)
    gen = generated(rng)
    rows = hand + gen
    keys = Counter((ex["instruction"], ex["input"]) for _, ex in rows)
    dups = [k for k, c in keys.items() if c > 1]
    assert not dups, f"duplicated examples: {dups[:5]}"
    for _, ex in rows:
        assert list(ex) == ["instruction", "input", "output"]
        assert all(isinstance(v, str) and v == v.strip() for v in ex.values()), ex
        assert ex["instruction"] and ex["output"], ex
    assert len(gen) <= len(hand), "generated part must not exceed the handwritten part"
    data = [ex for _, ex in rows]
    rng.shuffle(data)
    return data, hand, gen


def main(argv: list[str]) -> int:
    data, hand, gen = build()
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    if "--check" in argv:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print("ok: file is up to date" if same else "different: run without --check")
        return 0 if same else 1
    write_text_atomic(OUT, text)
    with_input = sum(1 for ex in data if ex["input"])
    print(
        f"wrote {OUT} : {len(data)} examples ({len(hand)} handwritten, {len(gen)} generated), "
        f"{with_input} with input ({100 * with_input / len(data):.1f}%)"
    )
    for name, n in Counter(c for c, _ in hand + gen).items():
        print(f"  {n:4d}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
